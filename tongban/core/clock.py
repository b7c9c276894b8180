"""The one clock of the service: the time of an action and the date the legal clocks count from.

Every module asks here (never `timezone.now()` directly for business time), so that:
- tests move time with time-machine (`time_machine.travel`), which this clock follows;
- the demo builds back-dated history with `pinned(moment)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_pinned: ContextVar[datetime.datetime | None] = ContextVar("tongban_clock_pinned", default=None)


def now() -> datetime.datetime:
    """The time of an action: timestamps and audit entries."""
    return _pinned.get() or timezone.now()


def today() -> datetime.date:
    """The date the legal clocks count from, in the node's time zone."""
    return timezone.localdate(now())


@contextmanager
def pinned(moment: datetime.datetime) -> Iterator[None]:
    """Within the block, `now()` is `moment` (the demo back-dates its history with it; tests use time-machine)."""
    if timezone.is_naive(moment):
        raise ValueError("pinned() needs an aware datetime")
    token = _pinned.set(moment)
    try:
        yield
    finally:
        _pinned.reset(token)
