"""Counting working days: the day of the event is not counted; holidays skipped, make-up days counted."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from tongban.calendar import actions
from tongban.calendar.actions import YearNotLoaded, add_workdays, is_workday, workdays_between
from tongban.calendar.tests.helpers import reference_add, reference_between


@pytest.mark.parametrize(("start", "n", "due"), [
    # National Day 2026: 10-01..10-07 off, Sun 09-20 and Sat 10-10 worked.
    (date(2026, 9, 30), 1, date(2026, 10, 8)),
    (date(2026, 9, 30), 2, date(2026, 10, 9)),
    (date(2026, 9, 30), 3, date(2026, 10, 10)),  # a Saturday, worked (调休上班)
    (date(2026, 10, 1), 1, date(2026, 10, 8)),  # received during the holiday
    (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Fri → the make-up Sunday
    # Spring Festival 2026: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked.
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    (date(2026, 2, 14), 1, date(2026, 2, 24)),
    # An ordinary week: Friday + 1 is Monday; Wednesday + 5 is next Wednesday.
    (date(2025, 3, 7), 1, date(2025, 3, 10)),
    (date(2025, 3, 5), 5, date(2025, 3, 12)),
    # n == 0 is the start itself, even on a holiday.
    (date(2026, 10, 1), 0, date(2026, 10, 1)),
])
def test_known_due_dates(db, start, n, due):
    assert add_workdays(start, n) == due
    assert add_workdays(start, n) == reference_add(start, n)
    assert workdays_between(start, due) == n


def test_is_workday_on_holidays_weekends_and_make_up_days(db):
    assert is_workday(date(2026, 10, 1)) is False  # National Day, a Thursday
    assert is_workday(date(2026, 10, 10)) is True  # a Saturday worked
    assert is_workday(date(2026, 10, 11)) is False  # an ordinary Sunday
    assert is_workday(date(2026, 10, 12)) is True  # an ordinary Monday


@pytest.mark.slow
def test_round_trip_and_agreement_with_a_day_by_day_walk(db):
    rng = random.Random(20261127)
    first, span = date(2004, 1, 1), (date(2026, 8, 31) - date(2004, 1, 1)).days
    for _ in range(3000):
        start, n = first + timedelta(days=rng.randrange(span)), rng.randrange(0, 61)
        due = add_workdays(start, n)
        assert workdays_between(start, due) == n, (start, n)
        assert due == reference_add(start, n), (start, n)
        if n:
            assert is_workday(due) and workdays_between(start, due - timedelta(days=1)) == n - 1


@pytest.mark.slow
def test_workdays_between_matches_a_day_by_day_count(db):
    rng = random.Random(7)
    for _ in range(500):
        start = date(2004, 1, 1) + timedelta(days=rng.randrange(8000))
        end = start + timedelta(days=rng.randrange(-10, 400))
        if end.year > 2026:
            continue
        assert workdays_between(start, end) == (reference_between(start, end) if end > start else 0)
    assert workdays_between(date(2004, 1, 1), date(2026, 12, 31)) == reference_between(date(2004, 1, 1),
                                                                                       date(2026, 12, 31))


def test_a_year_not_loaded_is_refused_never_guessed(db):
    with pytest.raises(YearNotLoaded, match="^2027 年的节假日安排尚未载入，无法计算工作日$") as failure:
        is_workday(date(2027, 1, 4))
    assert failure.value.year == 2027 and failure.value.code == "calendar.year_not_loaded"
    with pytest.raises(YearNotLoaded) as failure:
        add_workdays(date(2003, 12, 31), 1)
    assert failure.value.year == 2003
    for call in (lambda: add_workdays(date(2027, 3, 1), 0), lambda: workdays_between(date(2026, 12, 1),
                                                                                    date(2027, 1, 10))):
        with pytest.raises(YearNotLoaded):
            call()


def test_a_walk_past_the_last_loaded_year_is_refused(db):
    assert add_workdays(date(2026, 12, 30), 1) == date(2026, 12, 31)
    for start, n in ((date(2026, 12, 31), 1), (date(2026, 12, 25), 5), (date(2026, 6, 1), 200)):
        with pytest.raises(YearNotLoaded) as failure:
            add_workdays(start, n)
        assert failure.value.year == 2027 and failure.value.code == "calendar.year_not_loaded"


def test_bad_arguments(db):
    with pytest.raises(ValueError, match="不能为负数"):
        add_workdays(date(2026, 3, 2), -1)
    with pytest.raises(TypeError, match="localdate"):
        add_workdays(datetime(2026, 3, 2, 9, 0), 1)
    with pytest.raises(TypeError):
        add_workdays(date(2026, 3, 2), 1.5)  # type: ignore[arg-type]  # the wrong type is the point


def test_one_query_per_call_once_cached(db, django_assert_num_queries):
    add_workdays(date(2026, 3, 2), 1)
    tables = actions._cache
    with django_assert_num_queries(1):
        assert add_workdays(date(2026, 3, 2), 10) == date(2026, 3, 16)
    with django_assert_num_queries(1):
        assert workdays_between(date(2026, 3, 2), date(2026, 3, 16)) == 10
    assert actions._cache is tables  # nothing changed: not rebuilt
