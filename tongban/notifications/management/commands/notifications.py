"""`tongban notifications worker|send|status` — this node's SMS outbox (docs/notifications.md)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand

from tongban.notifications import actions


class Command(BaseCommand):
    help = "通知：发送短信（失败后退避重试）、查看待发与失败"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        worker = sub.add_parser("worker", help="持续发送到期的短信（失败后退避重试）")
        worker.add_argument("--interval", type=float, default=1.0, help="无短信可发时的轮询间隔（秒）")
        sub.add_parser("send", help="发送一轮到期的短信后退出")
        sub.add_parser("status", help="待发送、发送失败（重试中）、已发送的短信条数与最近错误")

    def handle(self, *args, command: str, **options) -> None:
        getattr(self, f"do_{command}")(**options)

    def do_send(self, **_) -> None:
        sent = actions.deliver_once()
        self.stdout.write(f"本轮发送 {sent} 条短信。")

    def do_status(self, **_) -> None:
        s = actions.summary()
        oldest = s.oldest_due.isoformat(timespec="seconds") if s.oldest_due else "—"
        self.stdout.write(f"待发送 {s.pending}，发送失败（重试中）{s.failed}，已发送 {s.sent}；最早到期 {oldest}")
        if s.last_error:
            self.stdout.write(f"最近错误：{s.last_error}")

    def do_worker(self, *, interval: float, **_) -> None:
        stopping: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write("短信发送进程已启动")
        self.stdout.flush()
        while not stopping:
            try:
                sent = actions.deliver_once()
            except Exception as exc:  # noqa: BLE001 — the worker must outlive a database hiccup
                self.stderr.write(f"发送出错：{exc}")
                sent = 0
            if not sent:
                time.sleep(interval)
