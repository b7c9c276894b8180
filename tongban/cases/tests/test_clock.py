"""The legal clock against the official 2026 calendar (National Day 10-01..10-07, make-up 10-10)."""

import datetime

import pytest

from tongban.cases.clock import Status, clock
from tongban.cases.models import Case

D = datetime.date


def case(**fields) -> Case:
    base = dict(accepted_on=D(2026, 9, 28), legal_limit_days=5, promised_limit_days=3)
    base.update(fields)
    return Case(**base)


@pytest.mark.django_db
def test_due_dates_skip_the_holiday_and_count_the_make_up_saturday():
    view = clock(case(), D(2026, 9, 29))
    # working days after 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (Saturday, 调休上班)
    assert view.legal_due == D(2026, 10, 10)
    assert view.promised_due == D(2026, 10, 8)
    assert (view.used, view.remaining, view.status) == (1, 4, Status.RUNNING)


@pytest.mark.django_db
def test_warning_before_and_overdue_after():
    assert clock(case(), D(2026, 10, 9)).status == Status.WARNING  # past the promise, 1 day left
    late = clock(case(), D(2026, 10, 12))
    assert (late.status, late.remaining) == (Status.OVERDUE, -1)


@pytest.mark.django_db
def test_a_pause_moves_the_due_date_by_the_working_days_paused():
    # supplement requested 09-29, received 10-09: paused (09-29, 10-09] = 09-30, 10-08, 10-09
    resumed = case(paused_workdays=3)
    view = clock(resumed, D(2026, 10, 9))
    assert view.legal_due == D(2026, 10, 14)
    assert (view.used, view.remaining) == (1, 4)
    open_pause = clock(case(paused_since=D(2026, 9, 29)), D(2026, 10, 9))
    assert (open_pause.status, open_pause.paused_days, open_pause.used) == (Status.PAUSED, 3, 1)


@pytest.mark.django_db
def test_extension_and_decision():
    assert clock(case(extension_days=2), D(2026, 9, 29)).legal_due == D(2026, 10, 13)
    assert clock(case(decided_on=D(2026, 10, 10)), D(2026, 11, 1)).status == Status.ON_TIME
    assert clock(case(decided_on=D(2026, 10, 12)), D(2026, 11, 1)).status == Status.LATE


@pytest.mark.django_db
def test_not_started_and_no_limit_and_unloaded_year():
    assert clock(case(accepted_on=None), D(2026, 9, 29)).status == Status.NOT_STARTED
    assert clock(case(legal_limit_days=None), D(2026, 9, 29)).status == Status.NO_LIMIT
    beyond = clock(case(accepted_on=D(2026, 12, 28), legal_limit_days=20), D(2026, 12, 29))
    assert beyond.status == Status.UNKNOWN and "2027" in beyond.problem
