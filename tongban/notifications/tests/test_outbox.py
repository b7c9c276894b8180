"""An event is written once; the worker sends each SMS once, retries a failing gateway with backoff."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from testsupport.sms import texts_to
from tongban.notifications import actions
from tongban.notifications.actions import LEASE, deliver_once, do_notify, retry_delay
from tongban.notifications.gateways import GatewayError
from tongban.notifications.models import Channel, DemoSms, Notification, Status

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
T0 = timezone.make_aware(datetime.datetime(2026, 10, 12, 9, 0))


def notify(event: str = "case:TB20260000001:accepted:3", text: str = "【通办】已受理", **kw) -> None:
    with transaction.atomic():
        do_notify(event=event, text=text, phone=kw.pop("phone", PHONE), **kw)


def test_the_same_event_twice_is_one_sms_and_one_inbox_message(django_user_model):
    user = django_user_model.objects.create_user("applicant")
    notify(user=user)
    notify(user=user, text="【通办】重复调用")
    assert sorted(Notification.objects.values_list("channel", flat=True)) == [Channel.INBOX, Channel.SMS]
    assert Notification.objects.get(channel=Channel.INBOX).status == Status.SENT  # the 站内信 is the row itself
    assert texts_to(PHONE) == ["【通办】已受理"]
    assert texts_to(PHONE) == ["【通办】已受理"]  # a second round sends nothing again


class Flaky:
    """A gateway that is down for the first `failures` calls, then accepts (records what it accepted)."""

    local: ClassVar[bool] = False
    failures = 2
    calls: ClassVar[list[str]] = []

    def send(self, phone: str, text: str) -> None:
        Flaky.calls.append(text)
        if len(Flaky.calls) <= Flaky.failures:
            raise GatewayError("网关维护中")


def test_a_failing_gateway_is_retried_with_backoff_then_sent_once(settings, time_machine):
    time_machine.move_to(T0, tick=False)
    settings.TONGBAN_SMS_GATEWAY = f"{__name__}.Flaky"
    Flaky.calls = []
    notify()
    row = Notification.objects.get()

    assert deliver_once() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 1, "网关维护中")
    assert row.next_attempt_at == T0 + datetime.timedelta(seconds=30)
    assert deliver_once() == 0 and len(Flaky.calls) == 1  # not due yet

    time_machine.move_to(T0 + datetime.timedelta(seconds=30), tick=False)
    assert deliver_once() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert row.next_attempt_at == T0 + datetime.timedelta(seconds=90)  # 30 s, then 60 s

    time_machine.move_to(T0 + datetime.timedelta(seconds=90), tick=False)
    assert deliver_once() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert row.sent_at == T0 + datetime.timedelta(seconds=90)
    time_machine.move_to(T0 + datetime.timedelta(hours=5), tick=False)
    assert deliver_once() == 0 and len(Flaky.calls) == 3  # sent once, never again


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [30, 60, 120, 1920, 3600, 3600]


class Racing:
    """The demo gateway, but a second worker runs its round while the first is sending."""

    local: ClassVar[bool] = True
    second_round: ClassVar[list[int]] = []

    def send(self, phone: str, text: str) -> None:
        Racing.second_round.append(deliver_once())
        DemoSms.objects.create(phone=phone, text=text, sent_at=timezone.now())


def test_a_second_worker_never_sends_a_claimed_row(settings):
    settings.TONGBAN_SMS_GATEWAY = f"{__name__}.Racing"
    Racing.second_round = []
    notify()
    assert deliver_once() == 1
    assert Racing.second_round == [0]  # the claimed row was not due for the other worker
    assert DemoSms.objects.count() == 1


class Dies:
    """A remote gateway whose worker process is killed mid-send the first time (at-least-once)."""

    local: ClassVar[bool] = False
    calls: ClassVar[list[str]] = []

    def send(self, phone: str, text: str) -> None:
        Dies.calls.append(text)
        if len(Dies.calls) == 1:
            raise KeyboardInterrupt  # not an Exception: nothing in the worker catches it


def test_a_row_whose_worker_died_is_sent_after_the_lease(settings, time_machine):
    time_machine.move_to(T0, tick=False)
    settings.TONGBAN_SMS_GATEWAY = f"{__name__}.Dies"
    Dies.calls = []
    notify()
    with pytest.raises(KeyboardInterrupt):
        deliver_once()
    assert Notification.objects.get().status == Status.PENDING
    assert deliver_once() == 0  # claimed: another worker leaves it alone during the lease
    time_machine.move_to(T0 + LEASE, tick=False)
    assert deliver_once() == 1 and len(Dies.calls) == 2
    assert Notification.objects.get().status == Status.SENT


def test_a_gateway_bug_is_recorded_like_a_failure(settings):
    settings.TONGBAN_SMS_GATEWAY = "tongban.notifications.gateways.HttpGateway"
    settings.TONGBAN_SMS_GATEWAY_URL = ""
    notify()
    assert deliver_once() == 0
    row = Notification.objects.get()
    assert row.status == Status.FAILED and "TONGBAN_SMS_GATEWAY_URL" in row.last_error
    assert actions.summary().failed == 1


def test_the_command_sends_a_round_and_reports_the_outbox():
    notify()
    out = StringIO()
    call_command("notifications", "status", stdout=out)
    assert out.getvalue().startswith("待发送 1，发送失败（重试中）0，已发送 0")
    call_command("notifications", "send", stdout=out)
    assert "本轮发送 1 条短信" in out.getvalue()
    assert texts_to(PHONE) == ["【通办】已受理"]
