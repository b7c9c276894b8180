"""Test support: the SMS an applicant received, as the demo gateway 'sent' them."""

from __future__ import annotations

from tongban.notifications.actions import deliver_once
from tongban.notifications.models import DemoSms


def texts_to(phone: str) -> list[str]:
    """Run the worker once (every due SMS is sent through the demo gateway), then the texts sent to
    `phone`, oldest first. Needs the default gateway (settings.TONGBAN_SMS_GATEWAY = DemoGateway)."""
    while deliver_once():  # more than one round's worth in a long test
        pass
    return list(DemoSms.objects.filter(phone=phone).order_by("sent_at", "id").values_list("text", flat=True))
