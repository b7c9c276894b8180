"""A citizen on a phone (390 × 844): home → 一件事 → the item's guide → 预约办理 → my bookings, never a
horizontal scroll. The citizen logs in with a session cookie made by Django's test client."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from testsupport.browser import no_sideways_scroll, phone_context, shot

pytestmark = pytest.mark.browser

@pytest.fixture
def live_citizen(audit_transactional_db, live_server, monkeypatch):
    from testsupport.demo import load_demo
    from tongban.accounts.models import Citizen
    from tongban.catalog.models import Region
    from tongban.core import clock

    load_demo()
    moment = timezone.make_aware(datetime.datetime(2026, 9, 28, 10, 0))
    # the business clock only: the browser's session cookie lives in real time
    monkeypatch.setattr(clock, "now", lambda: moment)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only")
    Citizen.objects.create(user=user, name="张三", id_number="11010519491231002X", phone="13812345678",
                           region=Region.objects.get(code="110112"), phone_verified_at=moment, created_at=moment)
    client = Client()
    client.force_login(user)
    return live_server, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_citizen_books_a_visit_on_a_phone(browser, live_citizen):
    server, session = live_citizen
    context = phone_context(browser)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(server.url + "/")
        no_sideways_scroll(page)
        page.locator(".themes a", has_text="身后一件事").click()
        page.wait_for_url("**/themes/death/")
        no_sideways_scroll(page)
        page.locator("ol.items a", has_text="死亡人员户口注销").first.click()
        page.wait_for_url("**/items/*/")
        no_sideways_scroll(page)
        assert "在地图中查看" in page.locator(".centre-card").first.inner_text()
        shot(page, "guide-item-390")

        page.get_by_role("link", name="预约办理").click()
        page.wait_for_url("**/appointments/new/*/")
        no_sideways_scroll(page)
        page.get_by_label("服务中心", exact=True).select_option(label="三河市政务服务中心")
        page.get_by_role("button", name="查看可约时段").click()
        page.wait_for_url("**centre=*")
        page.get_by_label("14:00–15:00").check()
        no_sideways_scroll(page)
        shot(page, "guide-booking-390")
        page.get_by_role("button", name="确认预约").click()
        page.wait_for_url("**/appointments/")
        assert "预约成功" in page.locator(".messages").inner_text()
        entry = page.locator(".booking-list li").first.inner_text()
        assert "三河市政务服务中心" in entry and "14:00–15:00" in entry and "死亡人员户口注销" in entry
        no_sideways_scroll(page)
        shot(page, "guide-mine-390")
    finally:
        context.close()

