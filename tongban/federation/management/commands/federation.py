"""`tongban federation key|status|reconcile|worker|deliver` — this node and its exchange with its peers."""

from __future__ import annotations

import signal
import time
from dataclasses import asdict
from json import dumps

from django.core.management.base import BaseCommand, CommandError

from tongban.federation import keys, outbox, reconcile, trust
from tongban.federation.envelope import Refused
from tongban.federation.status import peer_statuses
from tongban.notifications import actions as notifications


class Command(BaseCommand):
    help = "节点互联：本节点密钥、与各节点的消息收发情况、对账、发送进程"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        key = sub.add_parser("key", help="打印本节点的信任列表条目（节点编号与公钥），交给对方节点")
        key.add_argument("--name", default="", help="节点名称")
        key.add_argument("--url", default="", help="本节点地址，如 http://127.0.0.1:8000")
        key.add_argument("--regions", default="", help="本节点服务的区划代码，逗号分隔")
        status = sub.add_parser("status", help="每个对方节点：已发、已确认、待发、失败，以及收到的消息")
        status.add_argument("--json", action="store_true", help="以 JSON 输出")
        rec = sub.add_parser("reconcile", help="与对方节点对账：双方共有的办件是否一致")
        rec.add_argument("--peer", help="只对这个节点对账")
        worker = sub.add_parser("worker", help="持续发送发件箱中的消息与本节点的短信（失败后退避重试）")
        worker.add_argument("--interval", type=float, default=0.2, help="无消息时的轮询间隔（秒）")
        sub.add_parser("deliver", help="发送一轮后退出")

    def handle(self, *args, command: str, **options) -> None:
        try:
            getattr(self, f"do_{command}")(**options)
        except (trust.TrustError, Refused) as exc:
            raise CommandError(str(exc)) from None

    def do_key(self, *, name: str, url: str, regions: str, **_) -> None:
        entry = {"id": keys.node_id(), "name": name or keys.node_id(), "url": url,
                 "public_key": keys.public_key_text(), "regions": [r for r in regions.split(",") if r]}
        self.stdout.write(dumps(entry, ensure_ascii=False, indent=2))

    def do_status(self, *, json: bool = False, **_) -> None:
        statuses = peer_statuses()
        if json:
            self.stdout.write(dumps([asdict(s) for s in statuses], ensure_ascii=False))
            return
        if not statuses:
            self.stdout.write("本节点没有对方节点（未配置信任列表，或列表中只有本节点）。")
        for s in statuses:
            oldest = f"{s.oldest_pending_seconds:.0f} 秒" if s.oldest_pending_seconds is not None else "—"
            trusted = "" if s.trusted else "（已不在信任列表中）"
            self.stdout.write(
                f"{s.peer} {s.name}{trusted} {s.url}\n"
                f"  发出 {s.sent}，已确认 {s.acknowledged}，"
                f"待发 {s.pending}（其中失败重试 {s.failing}，最早 {oldest}）\n"
                f"  收到 {s.received}（未执行 {s.rejected}），已接收序号 {s.last_applied}，拒收 {s.refused}")
            if s.last_error:
                self.stdout.write(f"  最近错误：{s.last_error}")

    def do_reconcile(self, *, peer: str | None, **_) -> None:
        peers = [peer] if peer else list(trust.peers())
        if not peers:
            raise CommandError("没有可对账的对方节点")
        differences = 0
        for node_id in peers:
            local, remote = reconcile.shared_cases(node_id), reconcile.fetch(node_id)
            problems = reconcile.compare(local, remote)
            differences += len(problems)
            verdict = "一致" if not problems else f"不一致 {len(problems)} 件"
            self.stdout.write(f"{node_id}：本节点 {len(local)} 件，对方 {len(remote)} 件，{verdict}")
            for line in problems[:200]:
                self.stdout.write(f"  {line}")
        if differences:
            raise CommandError(f"对账发现 {differences} 处不一致（可能仍有消息在途，稍后再试）")

    def do_deliver(self, **_) -> None:
        for peer, (acked, failed) in outbox.deliver_once().items():
            self.stdout.write(f"{peer}：确认 {acked}" + ("，发送失败（稍后重试）" if failed else ""))

    def do_worker(self, *, interval: float, **_) -> None:
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write(f"节点 {keys.node_id()} 发送进程已启动")
        self.stdout.flush()
        while not stopping:
            try:
                results = outbox.deliver_once()
            except Exception as exc:  # noqa: BLE001 — the worker must outlive a database hiccup
                self.stderr.write(f"发送出错：{exc}")
                results = {}
            try:  # the node's SMS too, so a node needs no second worker process (docs/notifications.md)
                texted = notifications.deliver_once()
            except Exception as exc:  # noqa: BLE001
                self.stderr.write(f"短信发送出错：{exc}")
                texted = 0
            if not texted and not any(acked for acked, _ in results.values()):
                time.sleep(interval)
