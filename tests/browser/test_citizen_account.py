"""A resident on a phone (390 × 844): registers with an SMS code, logs out, logs in again, reaches 我的.

The code is read from what the SMS gateway sent (the notifications worker's `deliver_once` and the demo
gateway's `DemoSms`), as the resident reads it on their phone. No page may scroll sideways.
"""

from __future__ import annotations

import re

import pytest

from testsupport.browser import no_sideways_scroll

pytestmark = pytest.mark.browser

PHONE = "13700000005"
PASSWORD = "Tongban-2026-pw"


@pytest.fixture
def live_portal(audit_transactional_db, live_server, settings, tmp_path):
    from tongban.catalog.models import Region

    settings.TONGBAN_NODE_ID = ""
    settings.TONGBAN_TRUST_BUNDLE = ""
    settings.TONGBAN_NODE_KEY_FILE = str(tmp_path / "node_key.pem")
    for code, name, short in (("110112", "北京城市副中心（通州区）", "通州"), ("131000", "廊坊市", "廊坊")):
        Region.objects.get_or_create(code=code, defaults={"name": name, "short_name": short, "kind": "district"})
    return live_server


@pytest.fixture
def page(phone):
    """The phone's screen (conftest's `phone`), so that `screenshot` takes it."""
    return phone


def sms_code(phone: str) -> str:
    from tongban.notifications import actions

    deliver = getattr(actions, "deliver_once", None)
    if deliver is not None:
        from tongban.notifications.models import DemoSms

        deliver()
        text = DemoSms.objects.filter(phone=phone).latest("id").text
    else:  # the worker is not there: the queued SMS
        from tongban.notifications.models import Notification

        text = Notification.objects.filter(phone=phone).latest("id").text
    found = re.search(r"验证码 (\d{6})", text)
    assert found is not None, text
    return found.group(1)


def test_register_log_in_and_reach_my_on_a_phone(live_portal, page, screenshot):
    base = live_portal.url
    page.goto(base + "/")
    no_sideways_scroll(page)
    page.get_by_role("link", name="注册", exact=True).click()
    page.get_by_label("手机号").fill(PHONE)
    no_sideways_scroll(page)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(sms_code(PHONE))
    page.get_by_label("姓名").fill("赵六")
    page.get_by_label("身份证号").fill("11010519491231002X")
    page.get_by_label("所在地区").select_option("110112")
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    no_sideways_scroll(page)
    screenshot("citizen-1-register")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url("**/my/")
    assert "注册成功" in page.content()
    no_sideways_scroll(page)

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(base + "/")
    page.get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    no_sideways_scroll(page)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/my/")
    assert "110105********002X" in page.content() and "赵六" in page.content()
    no_sideways_scroll(page)
    screenshot("citizen-2-my")
    for name in ("我的办件", "我的反映", "我的证照", "我的消息"):
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name=name).is_visible()
        no_sideways_scroll(page)
        page.go_back()
    page.goto(base + "/register/enterprise/")
    no_sideways_scroll(page)

