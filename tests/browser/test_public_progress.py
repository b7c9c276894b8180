"""On a phone (390 × 844), without a login: the progress page from the receipt's QR code, the one-time
rating link from the SMS, and the hotline's progress page — never a horizontal scroll."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from testsupport.browser import no_sideways_scroll, phone_context, shot

pytestmark = pytest.mark.browser

@pytest.fixture
def delivered(audit_transactional_db, live_server, monkeypatch):
    """A walk-in case received in 三河, decided in 通州 and delivered: committed, so the server sees it."""
    from django.contrib.auth import get_user_model

    from testsupport.demo import load_demo
    from tongban.accounts.models import Role, StaffProfile
    from tongban.cases.actions import do_receive, do_transition
    from tongban.cases.tests.conftest import application
    from tongban.catalog.models import Department, Item, Region, ServiceCentre
    from tongban.core import clock

    load_demo()
    moment = timezone.make_aware(datetime.datetime(2026, 9, 28, 10, 0))
    monkeypatch.setattr(clock, "now", lambda: moment)  # the business clock only
    User = get_user_model()
    window = User.objects.create_user("sanhe_window_b")
    StaffProfile.objects.create(user=window, role=Role.WINDOW, region=Region.objects.get(code="131082"),
                                centre=ServiceCentre.objects.get(name="三河市政务服务中心"))
    approver = User.objects.create_user("tz_rsj_b")
    department = Department.objects.get(region__code="110112", name="北京市通州区人力资源和社会保障局")
    StaffProfile.objects.create(user=approver, role=Role.APPROVER, region=department.region, department=department)
    item = (Item.objects.filter(competences__department=department, mode_proxy=True, legal_limit_days__gte=10)
            .order_by("code").first())
    assert item is not None
    case = do_receive(window, application(item))
    case = do_transition(window, case, "forward")
    case = do_transition(approver, case, "accept")
    case = do_transition(approver, case, "decide", outcome="approved")
    case = do_transition(window, case, "deliver")
    return live_server, case


def test_progress_and_rating_on_a_phone(browser, delivered):
    from tongban.ratings.models import Rating

    server, case = delivered
    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{server.url}/progress/?number={case.number}")
        no_sideways_scroll(page)
        page.get_by_label("申请人姓名或手机号后四位").fill("张三")
        page.get_by_role("button", name="查询").click()
        page.wait_for_selector(".progress")
        text = page.locator(".progress").inner_text()
        assert "已送达" in text and "送达结果" in text and "本节点" in text
        no_sideways_scroll(page)
        shot(page, "progress-390")

        token = case.rating_invitation.token
        page.goto(f"{server.url}/rate/{token}/")
        no_sideways_scroll(page)
        page.locator("label[for=id_window_level_0]").click()  # 非常满意
        page.locator("label[for=id_department_level_3]").click()  # 不满意
        page.locator("#id_department_reason").select_option(label="办理时间超时")
        no_sideways_scroll(page)
        shot(page, "rate-link-390")
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_selector("text=感谢您的评价")
        no_sideways_scroll(page)
        assert sorted(Rating.objects.filter(case=case).values_list("target", "level")) == [
            ("department", 2), ("window", 5)]

        page.goto(f"{server.url}/hotline/progress/")
        no_sideways_scroll(page)
        shot(page, "hotline-progress-390")
    finally:
        context.close()
