"""Booking a visit: the happy path with its SMS, and every refusal a citizen can meet."""

from __future__ import annotations

import datetime

import pytest

from tongban.appointments.actions import Booking, do_book, do_cancel
from tongban.appointments.models import Appointment, State
from tongban.appointments.slots import bookable_days
from tongban.audit.models import AuditEntry
from tongban.core.errors import TongbanError
from tongban.notifications.models import Notification

from .conftest import MONDAY, centre, make_citizen

D = datetime.date


def refused(call) -> str:
    with pytest.raises(TongbanError) as info:
        call()
    return info.value.code


def test_booking_gives_a_number_an_sms_and_a_page_entry(client, on_day, citizen, item):
    on_day(MONDAY)
    client.force_login(citizen)
    page = client.get(f"/appointments/new/{item.code}/").content.decode()
    assert centre().name in page and "09:00–10:00" in page and "余 3" in page
    response = client.post(f"/appointments/new/{item.code}/",
                           {"centre": centre().pk, "day": "2026-09-29", "slot": "09:00"})
    assert response.status_code == 302 and response["Location"] == "/appointments/"
    appointment = Appointment.objects.get()
    assert appointment.number.startswith("YY20260928") and appointment.state == State.BOOKED
    assert (appointment.day, appointment.slot, appointment.seat) == (D(2026, 9, 29), "09:00", 1)
    sms = Notification.objects.get(event=f"appointment:{appointment.number}", channel="sms")
    assert sms.phone == "13812345678" and appointment.number in sms.text and sms.text.startswith("【通办】预约成功")
    assert Notification.objects.filter(event=f"appointment:{appointment.number}", channel="inbox",
                                       user=citizen).exists()
    assert AuditEntry.objects.filter(action="appointment.book", subject=f"appointment:{appointment.number}").exists()
    mine = client.get("/appointments/").content.decode()
    assert appointment.number in mine and item.name in mine and "取消预约" in mine
    # the next citizen sees one place fewer in that slot
    assert "余 2" in client.get(f"/appointments/new/{item.code}/?centre={centre().pk}&day=2026-09-29").content.decode()


def test_the_days_offered_are_working_days_from_tomorrow(on_day, citizen):
    on_day(MONDAY)
    days = bookable_days()
    assert days[:3] == [D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 8)]  # the National Day holiday skipped
    assert D(2026, 10, 10) in days  # a Saturday worked as 调休上班
    assert len(days) == 10


def test_a_non_working_day_or_one_too_soon_or_too_far_is_refused(on_day, citizen, item):
    on_day(MONDAY)
    book = lambda day: do_book(citizen, Booking(item.code, centre().pk, day, "09:00"))  # noqa: E731
    assert refused(lambda: book(D(2026, 10, 1))) == "appointment.not_workday"  # National Day
    assert refused(lambda: book(D(2026, 10, 3))) == "appointment.not_workday"  # a Saturday off
    assert refused(lambda: book(MONDAY)) == "appointment.day_past"  # today: from tomorrow only
    assert refused(lambda: book(D(2026, 10, 30))) == "appointment.too_far"  # beyond 10 working days
    assert not Appointment.objects.exists()


def test_a_day_in_a_year_not_loaded_is_refused_not_guessed(on_day, citizen, item):
    on_day(D(2026, 12, 29))
    assert refused(lambda: do_book(citizen, Booking(item.code, centre().pk, D(2027, 1, 4), "09:00"))) \
        == "calendar.year_not_loaded"
    assert bookable_days() == [D(2026, 12, 30), D(2026, 12, 31)]  # the list stops where the calendar does


def test_a_full_slot_is_not_offered_and_is_refused(client, on_day, citizen, item, settings):
    settings.TONGBAN_APPOINTMENT_CAPACITY = 2
    on_day(MONDAY)
    for n in range(2):
        other = make_citizen(f"other{n}", ["110101199003070011", "110101199003070038"][n], f"1390000000{n}")
        do_book(other, Booking(item.code, centre().pk, D(2026, 9, 29), "10:00"))
    client.force_login(citizen)
    page = client.get(f"/appointments/new/{item.code}/?centre={centre().pk}&day=2026-09-29").content.decode()
    assert 'value="09:00"' in page and 'value="10:00"' not in page
    assert refused(lambda: do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "10:00"))) \
        == "appointment.slot_full"
    # the same slot at another centre still has places
    assert do_book(citizen, Booking(item.code, centre("三河市政务服务中心").pk, D(2026, 9, 29), "10:00")).seat == 1


def test_one_active_booking_per_item_and_day(on_day, citizen, item):
    on_day(MONDAY)
    first = do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "09:00"))
    assert refused(lambda: do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "14:00"))) \
        == "appointment.already_booked"
    do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 30), "14:00"))  # another day is fine
    do_cancel(citizen, first)
    do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "14:00"))  # after cancelling, again


def test_cancel_before_the_day_frees_the_place_and_sends_an_sms(client, on_day, citizen, item, settings):
    settings.TONGBAN_APPOINTMENT_CAPACITY = 1
    on_day(MONDAY)
    appointment = do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 30), "09:00"))
    client.force_login(citizen)
    response = client.post(f"/appointments/{appointment.number}/cancel/")
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == State.CANCELLED and appointment.cancelled_at is not None
    sms = Notification.objects.get(event=f"appointment-cancel:{appointment.number}", channel="sms")
    assert "已取消" in sms.text and sms.phone == "13812345678"
    assert AuditEntry.objects.filter(action="appointment.cancel").exists()
    other = make_citizen("lisi", "110101199003070011", "13900000001")
    assert do_book(other, Booking(item.code, centre().pk, D(2026, 9, 30), "09:00")).seat == 1  # the place is free
    assert refused(lambda: do_cancel(citizen, appointment)) == "appointment.bad_transition"


def test_no_cancel_on_the_day_nor_of_someone_elses_booking(client, on_day, citizen, item):
    on_day(MONDAY)
    appointment = do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "09:00"))
    other = make_citizen("lisi", "110101199003070011", "13900000001")
    assert refused(lambda: do_cancel(other, appointment)) == "appointment.not_yours"
    client.force_login(other)
    assert client.post(f"/appointments/{appointment.number}/cancel/").status_code == 404
    on_day(D(2026, 9, 29))
    assert refused(lambda: do_cancel(citizen, appointment)) == "appointment.too_late"
    client.force_login(citizen)
    assert "取消预约</button>" not in client.get("/appointments/").content.decode()


def test_only_citizens_book_and_visitors_are_sent_to_log_in(client, on_day, citizen, window, item):
    on_day(MONDAY)
    response = client.get(f"/appointments/new/{item.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/appointments/new/")
    assert client.get("/appointments/")["Location"].startswith("/login/?next=")
    assert refused(lambda: do_book(window["tz"], Booking(item.code, centre().pk, D(2026, 9, 29), "09:00"))) \
        == "appointment.citizens_only"
    client.force_login(window["tz"])
    assert client.get(f"/appointments/new/{item.code}/").status_code == 403


def test_only_centres_this_node_serves_are_bookable(on_day, citizen, item, settings):
    on_day(MONDAY)
    settings.TONGBAN_CASE_FEDERATION = "tongban.appointments.tests.test_booking.TongzhouOnly"
    assert refused(lambda: do_book(citizen, Booking(item.code, centre("三河市政务服务中心").pk, D(2026, 9, 29),
                                                    "09:00"))) == "appointment.centre_not_bookable"
    assert do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "09:00")).seat == 1


class TongzhouOnly:
    """A node of a federation serving 通州 only: every 廊坊 region is served elsewhere (a real port, not a mock)."""

    def elsewhere(self, region):
        return None if region.code == "110112" else "廊坊市节点"


def test_the_database_refuses_two_bookings_of_one_seat(on_day, citizen, item):
    from django.db import IntegrityError, transaction

    on_day(MONDAY)
    first = do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "09:00"))
    other = make_citizen("lisi", "110101199003070011", "13900000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(number="YY-RACE", citizen=other.citizen, item=item, centre=first.centre,
                                   day=first.day, slot=first.slot, seat=first.seat, created_at=first.created_at)
