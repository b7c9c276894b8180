"""The seeded calendar is the official one: it agrees with `chinese_calendar` on every day it covers."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from tongban.calendar.actions import is_workday, loaded_years
from tongban.calendar.models import CalendarYear, SpecialDay


def test_every_day_2004_to_2026_agrees_with_chinese_calendar(db):
    day, mismatches = date(2004, 1, 1), []
    while day <= date(2026, 12, 31):
        if is_workday(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


def test_exactly_the_complete_years_are_loaded_from_the_package(db):
    assert loaded_years() == list(range(2004, 2027))
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {"chinese-calendar"}


def test_holiday_names_are_chinese(db):
    names = set(SpecialDay.objects.values_list("name", flat=True))
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names
    assert "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日" in names
    assert all(not any("a" <= ch <= "z" for ch in name) for name in names)
    assert SpecialDay.objects.get(date=date(2026, 9, 20)).kind == SpecialDay.Kind.WORKDAY
    assert SpecialDay.objects.get(date=date(2026, 9, 20)).name == "国庆节"


def test_make_up_working_days_are_never_on_a_weekday(db):
    workdays = SpecialDay.objects.filter(kind=SpecialDay.Kind.WORKDAY)
    assert workdays.count() == len(chinese_calendar.constants.workdays)
    assert all(d.date.weekday() >= 5 for d in workdays)
