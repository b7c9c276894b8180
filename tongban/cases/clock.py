"""The legal clock of a case, in working days on the official calendar.

Counting follows the calendar's convention (docs/calendar.md): the day of an event is not counted,
counting starts the next working day. For a case accepted on day A with limit L (plus approved
extensions E):

- used      = working days in (A, end] minus the working days the clock was paused;
              end = the decision date, or today while the case is open;
- paused    = for each pause (补正, 中止) from day P to day R: the working days in (P, R];
              a pause still open counts up to today;
- legal due = the (L + E + paused)-th working day after A; promised due likewise with the promised limit;
- remaining = L + E − used; overdue when remaining < 0, a warning when ≤ WARN_DAYS or past the promise.

Every page, queue, API answer and dashboard figure comes from `clock()`, so they always agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tongban.calendar.actions import YearNotLoaded, add_workdays, workdays_between

WARN_DAYS = 2


class Status:
    NOT_STARTED = "未受理"
    NO_LIMIT = "无时限"
    RUNNING = "正常"
    WARNING = "预警"
    OVERDUE = "超期"
    PAUSED = "暂停计时"
    ON_TIME = "按时办结"
    LATE = "超期办结"
    UNKNOWN = "日历未载入"


@dataclass(frozen=True)
class ClockView:
    status: str
    legal_due: datetime.date | None = None
    promised_due: datetime.date | None = None
    used: int | None = None
    remaining: int | None = None
    paused_days: int = 0
    problem: str = ""

    @property
    def overdue_days(self) -> int:
        """Working days past the legal due date (0 when not overdue)."""
        return max(0, -(self.remaining or 0))

    @property
    def urgent(self) -> bool:
        return self.status in (Status.WARNING, Status.OVERDUE)


def clock(case, today: datetime.date) -> ClockView:
    """The clock of a case as of `today` (a date in the node's time zone)."""
    if case.accepted_on is None:
        return ClockView(Status.NOT_STARTED)
    if case.legal_limit_days is None:
        return ClockView(Status.NO_LIMIT)
    end = case.decided_on or today
    try:
        open_pause = workdays_between(case.paused_since, end) if case.paused_since else 0
        paused = case.paused_workdays + open_pause
        limit = case.legal_limit_days + case.extension_days
        used = workdays_between(case.accepted_on, end) - paused
        legal_due = add_workdays(case.accepted_on, limit + paused)
        promised_due = None
        if case.promised_limit_days is not None:
            promised_due = add_workdays(case.accepted_on, case.promised_limit_days + case.extension_days + paused)
    except YearNotLoaded as exc:
        return ClockView(Status.UNKNOWN, problem=str(exc))
    remaining = limit - used
    if case.decided_on:
        status = Status.ON_TIME if remaining >= 0 else Status.LATE
    elif case.paused_since:
        status = Status.PAUSED
    elif remaining < 0:
        status = Status.OVERDUE
    elif remaining <= WARN_DAYS or (promised_due is not None and today > promised_due):
        status = Status.WARNING
    else:
        status = Status.RUNNING
    return ClockView(status, legal_due, promised_due, used, remaining, paused)
