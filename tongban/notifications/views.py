"""/dev/sms/ — what the demo gateway 'sent' (DEBUG only: a 404 otherwise), newest first, by phone."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from tongban.core.typing import AnyRequest
from tongban.notifications.models import DemoSms

SHOWN = 200


def dev_sms(request: AnyRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("仅在调试模式下可用")
    phone = "".join(ch for ch in request.GET.get("phone", "") if ch.isdigit())[:11]
    rows = DemoSms.objects.order_by("-sent_at", "-id")
    if phone:
        rows = rows.filter(phone__contains=phone)
    return render(request, "notifications/dev_sms.html", {"messages_sent": rows[:SHOWN], "phone": phone,
                                                          "shown": SHOWN})
