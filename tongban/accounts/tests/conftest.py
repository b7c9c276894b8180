"""Residents' accounts: the two regions, a helper reading the SMS code a phone was sent, a registered resident."""

from __future__ import annotations

import re

import pytest

from testsupport.audit import audit_transactional_db  # noqa: F401
from testsupport.verification import isolated_node  # noqa: F401

PHONE = "13800000011"
VALID_ID = "11010519491231002X"  # GB 11643's own example
OTHER_ID = "110112199001010014"
PASSWORD = "Tongban-2026-pw"
SERVED = ["110112", "131000"]


@pytest.fixture(autouse=True)
def _own_node(isolated_node):  # noqa: F811
    return isolated_node



def sms_code(phone: str) -> str:
    """The code in the newest SMS queued for `phone` (what the resident reads on their phone)."""
    from tongban.notifications.models import Channel, Notification

    sms = Notification.objects.filter(phone=phone, channel=Channel.SMS).order_by("-id").first()
    assert sms is not None, f"no SMS for {phone}"
    found = re.search(r"验证码 (\d{6})", sms.text)
    assert found is not None, sms.text
    return found.group(1)


def registration(**overrides):
    from tongban.accounts.citizens import Registration

    fields = dict(phone=PHONE, code="", name="王测试", id_number=VALID_ID, password=PASSWORD, region="110112")
    fields.update(overrides)
    return Registration(**fields)


@pytest.fixture
def registered(regions):
    """A resident registered the normal way (code sent, read, registered)."""
    from tongban.accounts.citizens import do_register, do_send_code

    do_send_code(PHONE, "register")
    return do_register(registration(code=sms_code(PHONE)), regions=SERVED)
