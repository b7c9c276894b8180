"""The in-process tables follow the database: an import here or a change by another process is seen."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import F, Max
from django.utils import timezone

from tongban.calendar import actions
from tongban.calendar.actions import YearNotLoaded, add_workdays, do_import_year_file, is_workday, loaded_years
from tongban.calendar.models import CalendarYear, SpecialDay
from tongban.calendar.tests.helpers import YEAR_2027, write


def next_generation() -> int:
    return CalendarYear.objects.aggregate(g=Max("generation"))["g"] + 1


def test_an_import_in_this_process_is_seen_at_once(db, tmp_path):
    assert not is_workday(date(2026, 10, 7))
    text = "日期,类型,名称\n" + "".join(f"2026-{m:02d}-01,休息日,x\n" for m in (1, 5, 10))  # 10-07 no longer off
    do_import_year_file(write(tmp_path, text))
    assert is_workday(date(2026, 10, 7))


def test_a_year_added_by_another_process_is_seen_by_the_next_call(db):
    with pytest.raises(YearNotLoaded):
        add_workdays(date(2026, 12, 31), 1)
    # What another process's import leaves in the database; this process's cache is not told.
    year = CalendarYear.objects.create(year=2027, source="import", loaded_at=timezone.now(),
                                       generation=next_generation())
    SpecialDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦", year=year)
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_days_replaced_by_another_process_are_seen(db):
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    SpecialDay.objects.filter(date=date(2026, 10, 6)).delete()  # 10-06 becomes a working Tuesday
    CalendarYear.objects.filter(year=2026).update(generation=next_generation())
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 6)


def test_a_year_deleted_by_another_process_is_refused(db):
    assert is_workday(date(2004, 6, 1))
    CalendarYear.objects.filter(year=2004).delete()
    with pytest.raises(YearNotLoaded):
        is_workday(date(2004, 6, 1))
    assert loaded_years()[0] == 2005


def test_generation_only_grows(db, tmp_path):
    CalendarYear.objects.filter(year=2010).update(generation=F("generation") + 40)
    do_import_year_file(write(tmp_path, YEAR_2027))
    assert CalendarYear.objects.get(year=2027).generation == 42
    assert actions._cache is None or actions._cache.key[2] == 42
