"""/dev/sms/ (DEBUG only) and the notifications admin (masked phones, 立即重试)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from tongban.core import clock
from tongban.notifications.actions import deliver_once, do_notify
from tongban.notifications.models import Notification, Status

pytestmark = pytest.mark.django_db


def sms(event: str, phone: str, text: str) -> None:
    with transaction.atomic():
        do_notify(event=event, text=text, phone=phone)


def test_dev_sms_is_404_without_debug(client, settings):
    settings.DEBUG = False
    sms("e1", "13812345678", "【通办】一")
    deliver_once()
    assert client.get("/dev/sms/").status_code == 404


def test_dev_sms_lists_newest_first_filters_by_phone_and_links(client, settings):
    settings.DEBUG = True
    sms("e1", "13812345678", "【通办】第一条 http://127.0.0.1:8000/progress/?number=TB20260000001")
    deliver_once()
    sms("e2", "13900001111", "【通办】第二条")
    deliver_once()
    html = client.get(reverse("notifications:dev_sms")).content.decode()
    assert html.index("第二条") < html.index("第一条")
    assert '<a href="http://127.0.0.1:8000/progress/?number=TB20260000001"' in html
    filtered = client.get(reverse("notifications:dev_sms"), {"phone": "13812345678"}).content.decode()
    assert "第一条" in filtered and "第二条" not in filtered


def test_admin_masks_phones_and_retries_failed_rows_now(admin_client, settings):
    settings.TONGBAN_SMS_GATEWAY = "tongban.notifications.gateways.HttpGateway"
    settings.TONGBAN_SMS_GATEWAY_URL = ""
    sms("e1", "13812345678", "【通办】一")
    deliver_once()
    row = Notification.objects.get()
    assert row.status == Status.FAILED and row.next_attempt_at > clock.now()

    listing = admin_client.get("/admin/notifications/notification/?status=failed").content.decode()
    assert "138****5678" in listing and "13812345678" not in listing
    assert "未配置短信网关地址" in listing  # the failure is visible
    response = admin_client.post("/admin/notifications/notification/",
                                 {"action": "retry_now", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.next_attempt_at <= clock.now() and row.status == Status.FAILED
    assert admin_client.get(f"/admin/notifications/notification/{row.pk}/change/").status_code == 200
    assert admin_client.get("/admin/notifications/notification/add/").status_code == 403


CODE_TEXT = "【通办】验证码 482913，用于登录，5 分钟内有效。如非本人操作请忽略，切勿告知他人。"


def test_a_code_sms_is_blanked_once_sent_and_never_shown_in_the_admin(admin_client, settings):
    import re

    from tongban.notifications.models import DemoSms

    settings.DEBUG = True
    sms("code:13812345678:1", "13812345678", CODE_TEXT)
    sms("case:TB20260000001:accepted:3", "13812345678", "【通办】受理通知 办件编号 TB20260000001 电话 12345678")
    row = Notification.objects.get(event="code:13812345678:1")
    # pending: the admin does not show it either
    page = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()
    assert "482913" not in page and "（验证码短信，内容不显示）" in page

    assert deliver_once() == 2
    row.refresh_from_db()
    assert row.status == Status.SENT and not re.search(r"\d{6}", row.text)
    assert row.text.startswith("【通办】验证码 ******，用于登录，5 分钟内有效")
    other = Notification.objects.get(event="case:TB20260000001:accepted:3")
    assert other.text.endswith("电话 12345678")  # only code SMS are blanked
    # the demo phone's inbox (/dev/sms/) keeps what the phone received
    assert DemoSms.objects.filter(text=CODE_TEXT).exists()
    page = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()
    assert "482913" not in page and "（验证码短信，内容不显示）" in page
    page = admin_client.get(f"/admin/notifications/notification/{other.pk}/change/").content.decode()
    assert "受理通知" in page


def test_a_code_sms_sent_by_a_remote_gateway_is_blanked_too(settings):
    import re

    from tongban.notifications.tests.test_outbox import Flaky

    settings.TONGBAN_SMS_GATEWAY = "tongban.notifications.tests.test_outbox.Flaky"
    Flaky.calls, Flaky.failures = [], 0
    sms("code:13812345678:1", "13812345678", CODE_TEXT)
    assert deliver_once() == 1 and Flaky.calls == [CODE_TEXT]  # the phone gets the code
    assert not re.search(r"\d{6}", Notification.objects.get().text)
