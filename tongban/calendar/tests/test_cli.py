"""`tongban calendar …`: answers on stdout, refusals as a Chinese error with exit status 1."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.calendar.models import CalendarYear
from tongban.calendar.tests.helpers import YEAR_2027, write


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args: str) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("calendar", *args, stdout=out, stderr=err)
    return str(failure.value), out.getvalue(), err.getvalue()


def test_add_workdays_and_workdays(db):
    assert run("add-workdays", "2026-09-30", "1")[0] == "2026-10-08\n"
    assert run("add-workdays", "2026-09-30", "0")[0] == "2026-09-30\n"
    assert run("workdays", "2026-09-30", "2026-10-10")[0] == "3\n"
    assert run("workdays", "2026-10-10", "2026-09-30")[0] == "0\n"


def test_a_year_not_loaded_is_an_error_not_a_guess(db):
    assert fails("add-workdays", "2026-12-31", "1")[0] == "2027 年的节假日安排尚未载入，无法计算工作日"
    assert fails("workdays", "2026-12-01", "2027-01-05")[0] == "2027 年的节假日安排尚未载入，无法计算工作日"


def test_bad_arguments(db):
    assert "起算日“2026-9-30”无效" in fails("add-workdays", "2026-9-30", "1")[0]
    assert "不能为负数" in fails("add-workdays", "2026-09-30", "-1")[0]
    assert "不是整数" in fails("add-workdays", "2026-09-30", "abc")[0]
    assert "缺少工作日数" in fails("add-workdays", "2026-09-30")[0]
    assert "日期无效：2026-02-30" in fails("workdays", "2026-01-01", "2026-02-30")[0]


def test_stdin_mode_prints_one_date_per_line(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("2026-09-30 1\n\n2026-09-30\t3\n2025-01-01 10\n"))
    assert run("add-workdays", "-")[0] == "2026-10-08\n2026-10-10\n2025-01-15\n"


def test_stdin_mode_names_every_bad_line_and_prints_nothing(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("2026-09-30 1\nxx 3\n2026-12-31 1\n2026-01-05\n"))
    message, out, err = fails("add-workdays", "-")
    assert out == ""
    assert err.splitlines() == [
        "第 2 行：起算日“xx”无效，应为 YYYY-MM-DD（xx 3）",
        "第 3 行：2027 年的节假日安排尚未载入，无法计算工作日（2026-12-31 1）",
        "第 4 行：应为“START N”两项，实际为 1 项（2026-01-05）",
    ]
    assert message == "未输出任何结果：标准输入中有 3 行错误。"


def test_years_lists_sources_and_counts(db):
    out = run("years")[0].splitlines()
    assert out[0] == "年份\t来源\t休息日\t调休上班\t载入时间\t备注"
    assert out[-2].startswith("2026\tchinese-calendar\t33\t6\t")
    assert out[-1] == "共 23 个年度，2004–2026"
    CalendarYear.objects.filter(year=2010).delete()
    assert run("years")[0].splitlines()[-1] == "共 22 个年度，2004–2026；缺：2010"


def test_import_dry_run_then_import_then_export(db, tmp_path: Path):
    path = write(tmp_path, YEAR_2027)
    out, _ = run("import", str(path), "--dry-run")
    assert out == "2027 年（新增）：休息日 19 天，调休上班 2 天\n检查通过（--dry-run，未写入）。\n"
    assert not CalendarYear.objects.filter(year=2027).exists()
    out, _ = run("import", str(path))
    assert out.endswith("导入完成：1 个年度。\n")
    assert run("add-workdays", "2026-12-31", "1")[0] == "2027-01-04\n"
    assert run("export", "2027")[0] == YEAR_2027
    target = tmp_path / "out.csv"
    assert run("export", "2027", "--out", str(target))[0] == f"已导出 2027 年到 {target}\n"
    assert target.read_text(encoding="utf-8") == YEAR_2027
    assert fails("export", "2031")[0] == "2031 年的节假日安排尚未载入，无法计算工作日"


def test_bad_import_lists_every_error_on_stderr(db, tmp_path: Path):
    path = write(tmp_path, "日期,类型,名称\n2027-13-01,休息日,x\n2027-01-04,上班,x\n")
    message, out, err = fails("import", str(path))
    assert message == "未导入任何日期：发现 2 处错误。"
    assert [line.split("：")[0] for line in err.splitlines()] == ["第 2 行", "第 3 行"]
    assert fails("import", str(tmp_path / "none.csv"))[0] == f"文件不存在：{tmp_path / 'none.csv'}"
