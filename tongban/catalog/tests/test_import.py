"""Catalogue import: good files import, bad files import nothing and name every bad row."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.catalog.models import Department, Item, ItemVersion
from tongban.catalog.tests.helpers import LF_RSJ, TZ_RSJ
from tongban.conftest import shared_file

HEADER = ("事项编码,事项名称,事项类型,事项类别,主管部门,申请材料,法定办结时限（工作日）,承诺办结时限（工作日）,"
          "通办模式\n")


def row(code: str, name: str, *, dept: str = f"110112={TZ_RSJ}；131000={LF_RSJ}", legal: str = "20",
        promised: str = "5", item_type: str = "公共服务", materials: str = "居民身份证|原件|1|纸质或电子|是|是",
        modes: str = "全程网办") -> str:
    return f'{code},{name},{item_type},高频便民事项,{dept},"{materials}",{legal},{promised},{modes}\n'


def write(tmp_path: Path, text: str, name: str = "items.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(path: Path, *args: str) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("catalog", "import", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise ImportFailed(err.getvalue() + str(exc)) from None
    return out.getvalue()


class ImportFailed(Exception):
    pass


def test_canonical_file_imports_with_materials_and_both_departments(regions, tmp_path):
    materials = "居民身份证|原件|1|纸质或电子|是|是\n授权委托书|原件|1|纸质|否|否"
    path = write(tmp_path, HEADER + row("T1", "失业登记", materials=materials) + row("T2", "就业登记"))
    out = run_import(path)
    assert "新增 2" in out
    item = Item.objects.get(code="T1")
    assert [(c.region.code, c.department.name) for c in item.competences.order_by("region__code")] == [
        ("110112", TZ_RSJ), ("131000", LF_RSJ)]
    assert [(m.name, m.required, m.e_licence) for m in item.materials.all()] == [
        ("居民身份证", True, True), ("授权委托书", False, False)]
    assert item.modes == ["全程网办"] and item.version == 1
    assert ItemVersion.objects.filter(item=item, version=1, source="import").exists()


def test_every_bad_row_is_reported_and_nothing_is_imported(regions, tmp_path):
    text = (HEADER + row("T1", "失业登记")
            + row("T2", "就业登记", legal="5", promised="9")
            + row("T1", "重复的编码")
            + row("T3", "", item_type="行政审批")
            + row("T4", "材料有误", materials="居民身份证|原件|一份")
            + row("T5", "部门无区域", dept="某某局"))
    with pytest.raises(ImportFailed) as failure:
        run_import(write(tmp_path, text))
    message = str(failure.value)
    assert "第 3 行［承诺办结时限（工作日）］：承诺时限 9 天不能超过法定时限 5 天" in message
    assert "第 4 行［事项编码］：事项编码 T1 与第 2 行重复" in message
    assert "第 5 行［事项名称］：事项名称为空" in message
    assert "第 5 行［事项类型］：未知的事项类型 '行政审批'" in message
    assert "第 6 行［申请材料］" in message and "份数应为 1–99" in message
    assert "第 7 行［主管部门］" in message
    assert "发现 6 处错误" in message
    assert Item.objects.count() == 0


def test_line_numbers_count_multi_line_cells(regions, tmp_path):
    materials = "居民身份证|原件|1|纸质|否|是\n户口簿|原件|1|纸质|否|是\n结婚证|原件|1|纸质|否|是"
    text = HEADER + row("T1", "婚姻登记", materials=materials) + row("T2", "x", legal="abc")
    with pytest.raises(ImportFailed, match="第 5 行"):
        run_import(write(tmp_path, text))


def test_missing_columns_are_refused(regions, tmp_path):
    with pytest.raises(ImportFailed, match="缺少必需的列：主管部门"):
        run_import(write(tmp_path, "事项编码,事项名称,事项类型\nT1,失业登记,公共服务\n"))
    assert Item.objects.count() == 0


def test_unknown_department_imports_nothing_unless_asked_to_create(regions, tmp_path):
    path = write(tmp_path, HEADER + row("T1", "失业登记") + row("T2", "就业登记", dept="110112=北京市通州区不存在局"))
    with pytest.raises(ImportFailed, match="未知部门：北京市通州区不存在局"):
        run_import(path)
    assert Item.objects.count() == 0
    assert "新建部门：通州：北京市通州区不存在局" in run_import(path, "--create-departments")
    assert Item.objects.count() == 2


def test_broken_encoding_is_reported_with_its_line(regions, tmp_path):
    path = write(tmp_path, HEADER + row("T1", "失业登记") + row("T2", "就业登记"), encoding="gb18030")
    with pytest.raises(ImportFailed, match="第 1 行：文件编码不是 utf-8-sig"):
        run_import(path)
    assert Item.objects.count() == 0
    assert "新增 2" in run_import(path, "--encoding", "gb18030")


def test_dry_run_writes_nothing(regions, tmp_path):
    out = run_import(write(tmp_path, HEADER + row("T1", "失业登记")), "--dry-run")
    assert "检查通过：1 个事项" in out
    assert Item.objects.count() == 0


def test_reimport_versions_only_what_changed(regions, tmp_path):
    run_import(write(tmp_path, HEADER + row("T1", "失业登记") + row("T2", "就业登记")))
    out = run_import(write(tmp_path, HEADER + row("T1", "失业登记") + row("T2", "就业登记", promised="3")))
    assert "新增 0，更新 1，未变 1" in out
    assert Item.objects.get(code="T1").version == 1
    changed = Item.objects.get(code="T2")
    assert changed.version == 2 and changed.promised_limit_days == 3
    old = ItemVersion.objects.get(item=changed, version=1)
    assert old.snapshot["promised_limit_days"] == 5  # the version a case was received under survives


def test_xlsx_with_a_named_column_mapping(regions, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["dept", "title", "id", "type"])
    sheet.append(["北京市通州区人力资源和社会保障局", "失业登记", "X-1", 20])
    sheet.append(["北京市通州区人力资源和社会保障局", "就业登记", "X-2", 1])
    path = tmp_path / "items.xlsx"
    book.save(path)
    out = run_import(path, "--region", "110112", "--map", "code=id", "--map", "name=title",
                     "--map", "item_type=type", "--map", "department=dept")
    assert "忽略的列" not in out and "新增 2" in out
    assert Item.objects.get(code="X-2").item_type == "行政许可"  # national code 1
    assert Item.objects.get(code="X-1").competences.get().department.name == TZ_RSJ


def test_not_an_excel_file(regions, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(ImportFailed, match="无法读取 Excel 文件"):
        run_import(path)


def test_bad_mapping_is_refused(regions, tmp_path):
    path = write(tmp_path, HEADER + row("T1", "失业登记"))
    with pytest.raises(ImportFailed, match="未知字段 'title'"):
        run_import(path, "--map", "title=事项名称")
    with pytest.raises(ImportFailed, match="映射的列 '名称'"):
        run_import(path, "--map", "name=名称")


def test_real_guangan_catalogue_imports_cleanly(db, tmp_path):
    from tongban.catalog.models import Region

    path = shared_file("catalog", "guangan_items.csv")
    Region.objects.create(code="511602", name="广安市广安区", short_name="广安区", kind=Region.Kind.DISTRICT)
    args = ["--region", "511602", "--map", "code=itemCode", "--map", "name=item_name", "--map", "item_type=taskType",
            "--map", "department=department", "--create-departments"]
    out = run_import(path, *args)
    assert "新增 1135" in out
    assert "忽略的列：main_item，deptCode，areaCode，link" in out
    assert Item.objects.count() == 1135
    assert Department.objects.filter(region__code="511602").count() == 34
    again = run_import(path, *args)
    assert "新增 0，更新 0，未变 1135" in again
