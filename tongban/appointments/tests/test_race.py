"""Two citizens racing for the last place of a slot: one gets it, the other is refused — committed, in threads.

Both read the slot as free; the partial unique constraint on (centre, day, slot, seat) lets one insert win and
makes the other's fail, which `do_book` turns into `appointment.slot_full`."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from tongban.appointments.actions import Booking, do_book
from tongban.appointments.models import Appointment
from tongban.core.errors import TongbanError

from .conftest import MONDAY, centre, make_citizen

pytestmark = pytest.mark.slow


def test_the_last_place_goes_to_one_of_two_racing_citizens(audit_transactional_db, on_day, settings):
    if connection.vendor != "postgresql":
        # SQLite's IMMEDIATE transactions queue writers at BEGIN (no race to lose), and its shared-cache
        # in-memory test database refuses a second writer outright instead of waiting
        pytest.skip("a real race needs PostgreSQL")
    from testsupport.demo import load_demo

    load_demo()
    settings.TONGBAN_APPOINTMENT_CAPACITY = 1
    on_day(MONDAY)
    from tongban.catalog.models import Item

    item = Item.objects.filter(via_window=True).order_by("code").first()
    assert item is not None
    users = [make_citizen("a", "11010519491231002X", "13800000001"),
             make_citizen("b", "110101199003070011", "13800000002")]
    where = centre().pk
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def book(user) -> None:
        try:
            start.wait()
            do_book(user, Booking(item.code, where, datetime.date(2026, 9, 29), "09:00"))
            outcomes.append("booked")
        except TongbanError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["appointment.slot_full", "booked"]
    assert Appointment.objects.count() == 1
