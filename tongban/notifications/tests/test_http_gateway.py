"""HttpGateway against a real HTTP server on this machine: JSON, the bearer key, non-2xx is a failure."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from tongban.notifications.actions import deliver_once, do_notify
from tongban.notifications.gateways import GatewayError, HttpGateway
from tongban.notifications.models import DemoSms, Notification, Status


class Provider(BaseHTTPRequestHandler):
    received: list[dict] = []
    answer = 200

    def do_POST(self) -> None:  # noqa: N802 — the http.server name
        length = int(self.headers["Content-Length"])
        Provider.received.append({"auth": self.headers["Authorization"],
                                  "type": self.headers["Content-Type"],
                                  "body": json.loads(self.rfile.read(length))})
        self.send_response(Provider.answer)
        if 300 <= Provider.answer < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Provider.received, Provider.answer = [], 200
    settings.TONGBAN_SMS_GATEWAY = "tongban.notifications.gateways.HttpGateway"
    settings.TONGBAN_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/sms"
    settings.TONGBAN_SMS_GATEWAY_KEY = "k-123"
    yield Provider
    server.shutdown()
    server.server_close()


def test_posts_json_with_the_bearer_key(provider):
    HttpGateway().send("13812345678", "【通办】您的办件已受理")
    assert provider.received == [{"auth": "Bearer k-123", "type": "application/json; charset=utf-8",
                                  "body": {"phone": "13812345678", "text": "【通办】您的办件已受理"}}]


@pytest.mark.parametrize("answer", [500, 401, 302])
def test_anything_but_2xx_is_a_gateway_error(provider, answer):
    provider.answer = answer
    with pytest.raises(GatewayError, match=str(answer)):
        HttpGateway().send("13812345678", "x")


def test_an_unreachable_gateway_is_a_gateway_error(settings):
    settings.TONGBAN_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # discard port: nobody listens
    with pytest.raises(GatewayError):
        HttpGateway().send("13812345678", "x")


@pytest.mark.django_db
def test_the_worker_sends_through_it(provider):
    with transaction.atomic():
        do_notify(event="e1", text="【通办】一", phone="13812345678")
    assert deliver_once() == 1
    assert Notification.objects.get().status == Status.SENT
    assert [r["body"]["text"] for r in provider.received] == ["【通办】一"]
    assert not DemoSms.objects.exists()  # a real gateway: nothing for /dev/sms/
