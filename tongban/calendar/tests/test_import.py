"""Loading a year from a file: whole years replaced, all or nothing, every bad line named."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.calendar.actions import (
    CalendarError,
    YearFileError,
    YearNotLoaded,
    add_workdays,
    do_import_year_file,
    export_year,
    is_workday,
    loaded_years,
    workdays_between,
)
from tongban.calendar.models import CalendarYear, SpecialDay
from tongban.calendar.tests.helpers import HEADER, YEAR_2027, write


def snapshot():
    return (list(CalendarYear.objects.values_list("year", "source", "loaded_at", "generation")),
            list(SpecialDay.objects.values_list("date", "kind", "name", "year_id")))


def test_importing_2027_makes_it_computable(db, tmp_path):
    with pytest.raises(YearNotLoaded):
        add_workdays(date(2026, 12, 31), 1)
    report = do_import_year_file(write(tmp_path, YEAR_2027))
    assert [(c.year, c.holidays, c.workdays, c.replaced) for c in report.years] == [(2027, 19, 2, False)]
    assert loaded_years() == list(range(2004, 2028))
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)  # over 元旦 01-01..01-03
    assert add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 14)  # the make-up Sunday
    assert add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 15)
    assert is_workday(date(2027, 10, 9)) and not is_workday(date(2027, 10, 4))
    assert workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == 2
    year = CalendarYear.objects.get(year=2027)
    assert year.source == "import" and year.note == "导入 year.csv"
    with pytest.raises(YearNotLoaded) as failure:
        add_workdays(date(2027, 12, 31), 1)
    assert failure.value.year == 2028


def test_bom_and_english_header_and_kind_synonyms(db, tmp_path):
    text = YEAR_2027.replace("日期,类型,名称", "date,kind,name").replace("休息日", "放假").replace("上班", "工作日")
    do_import_year_file(write(tmp_path, text, encoding="utf-8-sig"))
    assert SpecialDay.objects.filter(year=2027, kind="holiday").count() == 19
    assert SpecialDay.objects.filter(year=2027, kind="workday").count() == 2


def test_every_bad_line_is_reported_and_nothing_changes(db, tmp_path):
    text = (HEADER
            + "2027-01-01,休息日,元旦\n"        # 2 fine
            + "2027-02-30,休息日,春节\n"        # 3 no such day
            + "2027/02/06,休息日,春节\n"        # 4 wrong format
            + "2027-02-07,放 假,春节\n"         # 5 unknown type
            + "2027-01-01,休息日,元旦\n"        # 6 duplicate of line 2
            + "2027-02-08,上班,春节\n"          # 7 a Monday: already a working day
            + "1999-10-01,休息日,国庆节\n"      # 8 outside 2000–2099
            + "2027-03-01,休息日,x,y\n"         # 9 an extra cell
            + "\n"                              # 10 blank: skipped
            + "2027-01-02,休息日,元旦\n"        # 11 a Saturday off: allowed
            + "2026-10-01,休息日,国庆节\n")     # 12 fine, but 2026 must stay as it is
    before = snapshot()
    with pytest.raises(YearFileError) as failure:
        do_import_year_file(write(tmp_path, text))
    errors = failure.value.errors
    assert [e.split("：")[0] for e in errors] == [f"第 {n} 行" for n in range(3, 10)]
    assert "2027-02-08 是星期一，本来就是工作日" in errors[4]
    assert "与第 2 行重复" in errors[3]
    assert str(failure.value) == "未导入任何日期：发现 7 处错误"
    assert snapshot() == before


def test_whole_file_problems(db, tmp_path):
    for text, message in [
        ("day,type\n2027-01-01,休息日\n", "第 1 行：表头应为"),
        (HEADER, "文件中没有任何日期"),
        (HEADER + "2028-01-08,上班,\n", "2028 年没有任何休息日"),
    ]:
        with pytest.raises(YearFileError) as failure:
            do_import_year_file(write(tmp_path, text))
        assert len(failure.value.errors) == 1 and failure.value.errors[0].startswith(message)
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "2027-01-01,休息日,元旦\n").encode() + "2027-02-05,休息日,春节\n".encode("gb18030"))
    with pytest.raises(YearFileError) as failure:
        do_import_year_file(path)
    assert failure.value.errors[0].startswith("第 3 行：不是 UTF-8 编码")
    with pytest.raises(CalendarError) as unreadable:
        do_import_year_file(tmp_path / "missing.csv")
    assert unreadable.value.code == "calendar.unreadable_file"
    assert loaded_years() == list(range(2004, 2027))


def test_a_loaded_year_is_replaced_as_a_unit(db, tmp_path):
    # 2026 without the make-up Sunday 09-20 and with an extra day off on Friday 12-11.
    text = export_year(2026).replace("2026-09-20,上班,国庆节\n", "") + "2026-12-11,休息日,测试\n"
    report = do_import_year_file(write(tmp_path, text))
    assert [(c.year, c.replaced) for c in report.years] == [(2026, True)]
    assert add_workdays(date(2026, 9, 18), 1) == date(2026, 9, 21)
    assert not is_workday(date(2026, 12, 11))
    assert SpecialDay.objects.filter(year=2026).count() == 33 + 6 - 1 + 1
    assert CalendarYear.objects.get(year=2026).source == "import"
    assert CalendarYear.objects.get(year=2025).source == "chinese-calendar"


def test_export_then_import_changes_nothing(db, tmp_path):
    days_before = list(SpecialDay.objects.filter(year=2015).values_list("date", "kind", "name"))
    text = export_year(2015)
    assert text.startswith("日期,类型,名称\n2015-01-01,休息日,元旦\n")
    assert "2015-09-03,休息日,中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日" in text
    do_import_year_file(write(tmp_path, text))
    assert list(SpecialDay.objects.filter(year=2015).values_list("date", "kind", "name")) == days_before
    with pytest.raises(YearNotLoaded):
        export_year(2030)


def test_dry_run_checks_and_writes_nothing(db, tmp_path):
    before = snapshot()
    report = do_import_year_file(write(tmp_path, YEAR_2027 + export_year(2026)[len(HEADER):]), dry_run=True)
    assert [(c.year, c.replaced) for c in report.years] == [(2026, True), (2027, False)]
    assert report.dry_run and snapshot() == before
    with pytest.raises(YearNotLoaded):
        is_workday(date(2027, 1, 4))


def test_a_file_with_two_years_replaces_both_with_one_generation(db, tmp_path):
    do_import_year_file(write(tmp_path, YEAR_2027 + export_year(2026)[len(HEADER):]), source="admin")
    rows = CalendarYear.objects.filter(year__in=[2026, 2027])
    assert {(r.source, r.generation) for r in rows} == {("admin", 2)}
    assert workdays_between(date(2026, 9, 30), date(2027, 1, 4)) == workdays_between(
        date(2026, 9, 30), date(2026, 12, 31)) + 1


def test_a_year_missing_between_loaded_years_is_refused(db, tmp_path):
    do_import_year_file(write(tmp_path, HEADER + "2028-01-03,休息日,元旦\n2028-01-08,上班,元旦\n"))
    assert loaded_years()[-2:] == [2026, 2028]
    assert add_workdays(date(2028, 1, 2), 1) == date(2028, 1, 4)
    assert add_workdays(date(2028, 1, 7), 1) == date(2028, 1, 8)
    for call in (lambda: add_workdays(date(2026, 12, 31), 1),
                 lambda: workdays_between(date(2026, 12, 1), date(2028, 1, 5)),
                 lambda: is_workday(date(2027, 6, 1))):
        with pytest.raises(YearNotLoaded) as failure:
            call()
        assert failure.value.year == 2027
