"""The one clock: it follows time-machine in tests and can be pinned by the demo."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tongban.core import clock


def test_the_clock_follows_time_machine_and_today_is_the_local_date():
    # 2026-10-01 17:30 UTC is already 2 October in Beijing: the legal clock counts local days
    with time_machine.travel(datetime.datetime(2026, 10, 1, 17, 30, tzinfo=datetime.UTC), tick=False):
        assert clock.now() == datetime.datetime(2026, 10, 1, 17, 30, tzinfo=datetime.UTC)
        assert clock.today() == datetime.date(2026, 10, 2)


def test_pinned_holds_the_time_inside_the_block_only():
    moment = timezone.make_aware(datetime.datetime(2026, 9, 21, 10, 0))
    with clock.pinned(moment):
        assert clock.now() == moment
        assert clock.today() == datetime.date(2026, 9, 21)
    assert clock.now() != moment


def test_pinned_refuses_a_naive_time():
    with pytest.raises(ValueError), clock.pinned(datetime.datetime(2026, 9, 21, 10, 0)):
        pass
