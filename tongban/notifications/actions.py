"""Writing notifications (inside the caller's transaction) and sending them (the worker).

`do_notify` is called by the action that causes the message, in its transaction. Sending is done
by `deliver_once` (the worker: `tongban notifications worker`, and every round of `tongban federation
worker`), through the gateway named by the setting `TONGBAN_SMS_GATEWAY` (notifications/gateways.py).

Delivery, row by row (docs/notifications.md):

1. *Claim* — one compare-and-set UPDATE, committed on its own: ``attempts + 1`` and `next_attempt_at`
   pushed a lease (`LEASE`) ahead, only if the row is still due with the attempts this worker read.
   A second worker's UPDATE then matches nothing, so two workers never send one row at once.
2. *Send and mark* — success: `sent`, `sent_at`, guarded by the claimed attempts. A local gateway (the
   demo's) writes its `DemoSms` inside that same transaction: exactly once. A remote gateway is called
   outside any transaction (no lock held during a network call), between claim and mark: if the
   worker dies after the gateway accepted and before the mark commits, the lease runs out and the
   SMS is sent again — at-least-once, chosen over at-most-once because a lost 补正 or 办结 message
   costs the applicant more than a repeated one.
3. *A code SMS* (event ``code:…``, a resident's 短信验证码): the UPDATE that marks it sent also replaces
   the code's digits in its text with ``******`` (`blank_code`), so a sent code is not readable in
   the outbox or the admin. The demo gateway's `DemoSms` row keeps the text: it is the phone's inbox.
4. *Failure* — `failed`, `last_error`, next attempt after 30 s doubling per attempt, at most 1 h; the
   row is never given up (the admin shows it, and 立即重试 makes it due now).

The notifications app sits beside the audit trail (one layer, neither imports the other): a row's
own fields (status, attempts, last error, times) are its record.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min, Q

from tongban.core import clock
from tongban.core.typing import User
from tongban.notifications.gateways import Gateway, GatewayError, gateway
from tongban.notifications.models import Channel, Notification, Status

LEASE = datetime.timedelta(minutes=5)  # a claimed row is due again after this if its worker vanished
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
CODE_EVENT_PREFIX = "code:"  # accounts.citizens.do_send_code: the SMS carrying a verification code
_CODE_DIGITS = re.compile(r"\d{4,}")


def is_code_event(event: str) -> bool:
    """The SMS of this event carries a verification code (its text must not stay readable)."""
    return event.startswith(CODE_EVENT_PREFIX)


def blank_code(text: str) -> str:
    """The text with every run of 4 or more digits (the code) replaced by ``******``."""
    return _CODE_DIGITS.sub("******", text)


def do_notify(*, event: str, text: str, phone: str = "", user: User | None = None, link: str = "") -> None:
    """Queue an SMS to `phone` (if given) and a 站内信 to `user` (if given). Call inside the change's transaction.

    `event` is the idempotency key (``case:TZ20260000001:accepted:3``): a second call with the same
    event writes nothing. A 站内信 is delivered at once (it is the row itself); an SMS waits for the worker.
    """
    assert transaction.get_connection().in_atomic_block, "do_notify inside the transaction of the change"
    at = clock.now()
    rows = []
    if phone:
        rows.append(Notification(event=event, channel=Channel.SMS, user=user, phone=phone, text=text, link=link,
                                 created_at=at, next_attempt_at=at))
    if user is not None:
        rows.append(Notification(event=event, channel=Channel.INBOX, user=user, text=text, link=link,
                                 created_at=at, next_attempt_at=at, status=Status.SENT, sent_at=at))
    # ignore_conflicts: the unique (event, channel) makes a repeated event a no-op on both databases
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


# ---- the worker ----------------------------------------------------------------------------------

def retry_delay(attempts: int) -> datetime.timedelta:
    """After the n-th failed attempt: 30 s, 1 min, 2 min … at most 1 h."""
    return datetime.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def _due(at: datetime.datetime) -> Q:
    return Q(channel=Channel.SMS, status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=at)


def deliver_once(limit: int = 100) -> int:
    """Send up to `limit` due SMS, oldest due first; returns how many were sent now.

    Call outside a transaction in a worker (a test's transaction is fine: the claims become savepoints).
    Locks: each row for its claim UPDATE and its mark UPDATE, one at a time; none during a remote send.
    """
    sender = gateway()
    rows = list(Notification.objects.filter(_due(clock.now())).order_by("next_attempt_at", "id")
                .values_list("id", "attempts", "phone", "text", "event")[:limit])
    return sum(_deliver(sender, pk, attempts, phone, text, event) for pk, attempts, phone, text, event in rows)


def _deliver(sender: Gateway, pk: int, seen_attempts: int, phone: str, text: str, event: str = "") -> bool:
    at = clock.now()
    sent: dict[str, object] = {"status": Status.SENT, "last_error": ""}
    if is_code_event(event):
        sent["text"] = blank_code(text)  # in the same UPDATE that marks it sent
    claimed = seen_attempts + 1
    if not Notification.objects.filter(_due(at), pk=pk, attempts=seen_attempts).update(
            attempts=claimed, next_attempt_at=at + LEASE):
        return False  # another worker claimed it first
    mine = Notification.objects.filter(pk=pk, attempts=claimed).exclude(status=Status.SENT)
    try:
        if sender.local:
            with transaction.atomic():
                sender.send(phone, text)
                if not mine.update(sent_at=clock.now(), **sent):
                    raise _LeaseLost  # rolls the local send back with it
        else:
            sender.send(phone, text)
            mine.update(sent_at=clock.now(), **sent)
    except _LeaseLost:
        return False
    except Exception as exc:  # noqa: BLE001 — a gateway's own bug must not stop the round, only this row
        reason = str(exc) if isinstance(exc, GatewayError) else f"{type(exc).__name__}: {exc}"
        mine.update(status=Status.FAILED, last_error=reason[:300], next_attempt_at=clock.now() + retry_delay(claimed))
        return False
    return True


class _LeaseLost(Exception):
    """The row was claimed again after our lease ran out: the other worker sends it."""


def do_retry_now(ids: list[int]) -> int:
    """立即重试: failed SMS among `ids` become due now (the next worker round sends them). Returns how many."""
    with transaction.atomic():
        return Notification.objects.filter(pk__in=ids, channel=Channel.SMS, status=Status.FAILED).update(
            next_attempt_at=clock.now())


@dataclass
class Summary:
    pending: int
    failed: int
    sent: int
    oldest_due: datetime.datetime | None
    last_error: str


def summary() -> Summary:
    """The SMS outbox at a glance (`tongban notifications status`)."""
    sms = Notification.objects.filter(channel=Channel.SMS)
    counts = dict(sms.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    waiting = sms.filter(status__in=[Status.PENDING, Status.FAILED])
    failing = sms.filter(status=Status.FAILED).order_by("-next_attempt_at").values_list("last_error", flat=True)
    return Summary(pending=counts.get(Status.PENDING, 0), failed=counts.get(Status.FAILED, 0),
                   sent=counts.get(Status.SENT, 0), oldest_due=waiting.aggregate(m=Min("next_attempt_at"))["m"],
                   last_error=failing.first() or "")
