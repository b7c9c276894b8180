"""Export writes the import format back: export → import into an empty catalogue → export is identical."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tongban.catalog.actions import MaterialData
from tongban.catalog.models import Competence, Item, ItemVersion, Material
from tongban.catalog.tests.helpers import item, load

TRICKY = (
    item("E1", "失业保险金申领", materials=(
        MaterialData("居民身份证", "原件", 1, "纸质或电子", True, True),
        MaterialData("解除劳动合同证明，含“逗号”", "复印件", 2, "纸质", False, False),
    ), keywords=("失业金", "失业"), legal_basis="《中华人民共和国社会保险法》第四十五条\n第二款"),
    item("E2", "企业设立登记", market=True, item_type="行政许可", item_class="政务服务事项",
         channels=("window", "mobile", "bank"), modes=("全程网办", "异地代收代办", "多地联办"),
         legal_limit_days=None, promised_limit_days=None, fee="工本费 10 元", standard_version="2021.1"),
    item("E3", "社会保障卡挂失", legal_limit_days=0, promised_limit_days=0, materials=(), channels=("terminal",),
         modes=(), fee="=1+1", keywords=("社保、医保", "挂失，补办"), conditions=""),
)


def wipe_catalogue():
    for model in (Material, Competence, ItemVersion, Item):
        model.objects.all().delete()


def export_csv() -> str:
    out = StringIO()
    call_command("catalog", "export", stdout=out)
    return out.getvalue()


def test_csv_round_trip_is_lossless(regions, tmp_path):
    load(*TRICKY)
    first = export_csv()
    path = tmp_path / "export.csv"
    path.write_text(first, encoding="utf-8")
    wipe_catalogue()
    call_command("catalog", "import", str(path), stdout=StringIO())
    assert Item.objects.count() == 3
    assert export_csv() == first


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_file_round_trip_is_lossless(regions, tmp_path, suffix):
    load(*TRICKY)
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    call_command("catalog", "export", "--out", str(first), stdout=StringIO())
    before = export_csv()
    wipe_catalogue()
    call_command("catalog", "import", str(first), stdout=StringIO())
    assert export_csv() == before
    call_command("catalog", "export", "--out", str(second), stdout=StringIO())
    if suffix == ".csv":
        assert first.read_bytes() == second.read_bytes()


def test_xlsx_cells_are_text_not_formulas(regions, tmp_path):
    from openpyxl import load_workbook

    load(*TRICKY)
    path = tmp_path / "export.xlsx"
    call_command("catalog", "export", "--out", str(path), stdout=StringIO())
    sheet = load_workbook(path).worksheets[0]
    fee = next(row[10] for row in sheet.iter_rows(min_row=2) if row[0].value == "E3")
    assert fee.value == "=1+1" and fee.data_type == "s"


def test_demo_catalogue_round_trips_without_new_versions(demo, tmp_path):
    path = tmp_path / "demo.csv"
    call_command("catalog", "export", "--out", str(path), stdout=StringIO())
    out = StringIO()
    call_command("catalog", "import", str(path), stdout=out)
    assert "导入完成：523 个事项，新增 0，更新 0，未变 523。" in out.getvalue()
    assert ItemVersion.objects.count() == 523


def test_export_by_region(regions):
    from tongban.catalog.actions import ItemData

    only_tongzhou = ItemData(**{**item("E9", "通州专有事项").__dict__,
                                "departments": (("110112", "北京市通州区人力资源和社会保障局"),)})
    load(item("E1", "两地事项"), only_tongzhou)
    out = StringIO()
    call_command("catalog", "export", "--region", "131000", stdout=out)
    assert "两地事项" in out.getvalue() and "通州专有事项" not in out.getvalue()
