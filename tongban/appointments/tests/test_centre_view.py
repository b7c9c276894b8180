"""The window officer's list: the centre's bookings for a day, identity masked; nobody else's centre."""

from __future__ import annotations

import datetime

from tongban.appointments.actions import Booking, do_book, do_cancel

from .conftest import MONDAY, SANHE_CENTRE, centre, make_citizen

D = datetime.date


def test_a_window_officer_sees_the_centres_bookings_of_a_day(client, on_day, citizen, window, item):
    on_day(MONDAY)
    booked = do_book(citizen, Booking(item.code, centre().pk, D(2026, 9, 29), "10:00"))
    other = make_citizen("lisi", "110101199003070011", "13900000001")
    elsewhere = do_book(other, Booking(item.code, centre(SANHE_CENTRE).pk, D(2026, 9, 29), "10:00"))
    cancelled = do_book(other, Booking(item.code, centre().pk, D(2026, 9, 30), "11:00"))
    do_cancel(other, cancelled)

    client.force_login(window["tz"])
    page = client.get("/appointments/centre/", {"day": "2026-09-29"}).content.decode()
    assert booked.number in page and "张三" in page and "10:00–11:00" in page and item.name in page
    assert "11010519491231002X" not in page and "13812345678" not in page  # masked
    assert elsewhere.number not in page  # another centre's
    assert "有效预约 1 个" in page
    page = client.get("/appointments/centre/", {"day": "2026-09-30"}).content.decode()
    assert cancelled.number in page and "已取消" in page and "有效预约 0 个" in page

    client.force_login(window["sanhe"])
    page = client.get("/appointments/centre/", {"day": "2026-09-29", "centre": centre().pk}).content.decode()
    assert elsewhere.number in page and booked.number not in page  # an officer sees only their own centre


def test_citizens_and_visitors_do_not_see_a_centres_list(client, on_day, citizen):
    on_day(MONDAY)
    assert client.get("/appointments/centre/").status_code == 302  # staff log in first
    client.force_login(citizen)
    assert client.get("/appointments/centre/").status_code == 403
