"""Catalogue import: good files import, bad files import nothing and name every bad row."""

from __future__ import annotations

from io import StringIO
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
    with pytest.raises(ImportFailed, match="第 1 行：无法按 utf-8-sig 解码"):
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
    path = shared_file("catalog", "guangan_items.csv")
    call_command("catalog", "add-region", "511602", "广安市广安区", "--short-name", "广安区", stdout=StringIO())
    args = ["--region", "511602", "--map", "code=itemCode", "--map", "name=item_name", "--map", "item_type=taskType",
            "--map", "department=department", "--create-departments"]
    out = run_import(path, *args)
    assert "新增 1135" in out
    assert "忽略的列：main_item，deptCode，areaCode，link" in out
    assert Item.objects.count() == 1135
    assert Department.objects.filter(region__code="511602").count() == 34
    again = run_import(path, *args)
    assert "新增 0，更新 0，未变 1135" in again


def errors_of(path: Path, *args: str) -> str:
    with pytest.raises(ImportFailed) as failure:
        run_import(path, *args)
    assert Item.objects.count() == 0
    return str(failure.value)


def test_non_ascii_digits_and_unsafe_codes_are_row_errors_not_crashes(regions, tmp_path):
    text = (HEADER + row("T1", "失业登记", legal="²")
            + row("T2", "就业登记", materials="居民身份证|原件|²")
            + row("A/B", "编码带斜杠")
            + row("T4", "关键词", modes="全程网办；乱填"))
    message = errors_of(write(tmp_path, text))
    assert "第 2 行［法定办结时限（工作日）］" in message
    assert "第 3 行［申请材料］" in message and "份数应为 1–99" in message
    assert "第 4 行［事项编码］：事项编码只能由字母、数字和 . _ - 组成" in message
    assert "第 5 行［通办模式］：未知的取值 '乱填'" in message


def test_over_long_values_and_control_characters_are_refused(regions, tmp_path):
    header = HEADER.rstrip("\n") + ",关键词,收费标准,审批标准版本\n"
    text = (header + row("T1", "x").rstrip("\n") + f",{'社会保险；' * 50},,\n"
            + row("T2", "y").rstrip("\n") + f",,{'元' * 201},\n"
            + row("T3", "z").rstrip("\n") + f",,,{'v' * 41}\n"
            + row("T4", "控制\x0b字符"))
    message = errors_of(write(tmp_path, text))
    assert "第 2 行［关键词］：关键词合计超过 200 个字符" in message
    assert "第 3 行［收费标准］：超过 200 个字符" in message
    assert "第 4 行［审批标准版本］：超过 40 个字符" in message
    assert "第 5 行［事项名称］：含有不可见的控制字符" in message


def test_unknown_departments_and_regions_are_reported_on_their_lines(regions, tmp_path):
    text = (HEADER + row("T1", "失业登记")
            + row("T2", "a", dept="110112=不存在的局A")
            + row("T3", "b", dept="999999=某局")
            + row("T4", "c", dept="131000=不存在的局B"))
    message = errors_of(write(tmp_path, text))
    assert "第 3 行［主管部门］：未知部门：不存在的局A" in message
    assert "第 4 行［主管部门］：未知区域代码：999999" in message
    assert "第 5 行［主管部门］：未知部门：不存在的局B" in message


def test_extra_cells_empty_departments_and_duplicates_after_a_bad_row(regions, tmp_path):
    text = (HEADER + row("T1", "多出的列").rstrip("\n") + ",extra\n"
            + row("T2", "部门只有分号", dept="；")
            + row("D1", "")
            + row("D1", "第二次出现"))
    message = errors_of(write(tmp_path, text))
    assert "第 2 行：本行有 10 列，多于表头的 9 列" in message
    assert "第 3 行［主管部门］：主管部门为空" in message
    assert "第 5 行［事项编码］：事项编码 D1 与第 4 行重复" in message


def test_every_undecodable_line_is_listed_and_a_bom_is_not_a_header_problem(regions, tmp_path):
    raw = (HEADER + row("T1", "失业登记")).encode() + "T2,就业登记\n".encode("gb18030") + b"x\n" + \
        "T3,户口\n".encode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    message = errors_of(path)
    assert "第 3 行：无法按 utf-8-sig 解码" in message and "第 5 行：无法按 utf-8-sig 解码" in message
    with_bom = write(tmp_path, "\ufeff" + HEADER + row("T1", "失业登记"), name="bom.csv")
    assert "新增 1" in run_import(with_bom, "--encoding", "utf-8")


def test_excel_dates_and_numbers_that_lost_digits_are_refused(regions, tmp_path):
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["事项编码", "事项名称", "事项类型", "主管部门"])
    sheet.append([12345678901234567890, "失业登记", "公共服务", f"110112={TZ_RSJ}"])
    sheet.append(["T2", datetime.date(2021, 1, 1), "公共服务", f"110112={TZ_RSJ}"])
    sheet.append([123, "就业登记", 20, f"110112={TZ_RSJ}"])
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    message = errors_of(path)
    assert "第 2 行：数字" in message and "Excel 已丢失精度" in message
    assert "第 3 行：单元格 2021-01-01 00:00:00 是日期或逻辑值" in message
    assert "第 4 行" not in message


def test_mode_order_in_the_file_does_not_matter(regions, tmp_path):
    run_import(write(tmp_path, HEADER + row("T1", "失业登记", modes="多地联办；全程网办")))
    again = run_import(write(tmp_path, HEADER + row("T1", "失业登记", modes="全程网办，多地联办")))
    assert "未变 1" in again
    assert Item.objects.get(code="T1").modes == ["全程网办", "多地联办"]
