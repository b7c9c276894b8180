"""Writing notifications (inside the caller's transaction) and sending them (the worker).

`do_notify` is called by the action that causes the message, in its transaction. Sending is done
by `deliver_once` (the worker, `tongban notifications worker`), through the gateway named by the
setting `TONGBAN_SMS_GATEWAY` (notifications/gateways.py).
"""

from __future__ import annotations

from django.db import transaction

from tongban.core import clock
from tongban.core.typing import User
from tongban.notifications.models import Channel, Notification, Status


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
