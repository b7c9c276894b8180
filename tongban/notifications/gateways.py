"""SMS gateways: what the worker (`notifications.actions.deliver_once`) hands each SMS to.

A gateway is one class with `send(phone, text)`, raising `GatewayError` when the message was not
accepted; the setting `TONGBAN_SMS_GATEWAY` (a dotted path) chooses it. Two are built in:

- `DemoGateway` (the default) sends nothing: it writes a `DemoSms` row, shown at /dev/sms/ (DEBUG)
  and read by the tests (testsupport/sms.py). It is *local*: it only writes this node's database, so
  the worker calls it inside the transaction that marks the notification sent — exactly once.
- `HttpGateway` POSTs JSON ``{"phone", "text"}`` to `TONGBAN_SMS_GATEWAY_URL` with
  ``Authorization: Bearer <TONGBAN_SMS_GATEWAY_KEY>``; any answer but 2xx (redirects included) or no
  answer is a `GatewayError`. It is not local: the worker calls it outside any transaction, after it
  has claimed the row (at-least-once, docs/notifications.md).

A provider's own API (阿里云、腾讯云 …) is one more class like `HttpGateway`, named in the setting.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from tongban.core import clock
from tongban.notifications.models import DemoSms

TIMEOUT_SECONDS = 10  # well below the worker's claim lease (actions.LEASE)


class GatewayError(Exception):
    """The gateway did not accept the message; the text says why (kept as the row's last error)."""


class Gateway(Protocol):
    # True: `send` only writes this node's database and runs inside the transaction marking the row sent
    local: ClassVar[bool]

    def send(self, phone: str, text: str) -> None:
        """Hand one SMS to the gateway; return when it is accepted, else raise `GatewayError`."""


class DemoGateway:
    """The demo's gateway: a `DemoSms` row instead of an SMS."""

    local: ClassVar[bool] = True

    def send(self, phone: str, text: str) -> None:
        DemoSms.objects.create(phone=phone, text=text, sent_at=clock.now())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer we did not ask for: an error
        return None


class HttpGateway:
    """A JSON-over-HTTPS SMS service: POST {phone, text} with a bearer key; 2xx means accepted."""

    local: ClassVar[bool] = False

    def __init__(self) -> None:
        self.url = settings.TONGBAN_SMS_GATEWAY_URL
        self.key = settings.TONGBAN_SMS_GATEWAY_KEY
        self.opener = urllib.request.build_opener(_NoRedirect)

    def send(self, phone: str, text: str) -> None:
        if not self.url:
            raise GatewayError("未配置短信网关地址（TONGBAN_SMS_GATEWAY_URL）")
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.key}"})
        try:
            with self.opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"短信网关返回 HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:  # refused, timed out, DNS, a malformed URL
            raise GatewayError(f"短信网关不可达：{exc}") from None
        if not 200 <= status < 300:
            raise GatewayError(f"短信网关返回 HTTP {status}")


def gateway() -> Gateway:
    """A new instance of the gateway named by `TONGBAN_SMS_GATEWAY` (read on each call: tests override it)."""
    return import_string(settings.TONGBAN_SMS_GATEWAY)()
