"""`tongban demo` — two nodes (通州 and 廊坊) exchanging cases; `tongban demo --single` — one node with every case.

Two nodes: each gets its own data directory under DATA_DIR/nodes/ (SQLite file, Ed25519 key), one trust
bundle lists both, and a case is walked across them (received in 三河, decided in 通州, back to 三河).
"""

from __future__ import annotations

import signal
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tongban.demo import nodes as demo_nodes
from tongban.demo.actions import do_load_demo
from tongban.demo.cases import BANK_STAFF, CITIZEN, DEMO_PASSWORD, STAFF, do_load_demo_cases
from tongban.demo.citizens import LI_HONG, WANG_XIAOMING, describe, do_load_demo_citizens
from tongban.demo.hotline import HOTLINE_STAFF, do_load_demo_hotline

DEMO_ADMIN = ("admin", "tongban-demo")


class Command(BaseCommand):
    help = "启动演示：建库、载入两地演示数据（523 个通办事项）并启动网站"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站（单节点）")
        parser.add_argument("--single", action="store_true", help="单节点演示：一个数据库中有两地的全部演示办件")
        parser.add_argument("--any-database", action="store_true",
                            help="允许在非 SQLite 数据库上载入演示数据和演示账号（默认拒绝）")

    def handle(self, *args, host: str, port: int, no_serve: bool, single: bool, any_database: bool,
               **options) -> None:
        if not (single or no_serve):
            return self.two_nodes(port)
        if connection.vendor != "sqlite" and not any_database:
            # The demo creates a well-known admin password: never on a production database by accident.
            raise CommandError(f"演示只在 SQLite 上运行；当前数据库是 {connection.vendor}（DATABASE_URL）。"
                               "确需如此请加 --any-database。")
        call_command("migrate", interactive=False, verbosity=0)
        summary = do_load_demo()
        self.stdout.write(
            f"演示数据：新增 {summary.created} 个事项，更新 {summary.updated}，未变 {summary.unchanged}。")
        username, password = DEMO_ADMIN
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username, password=password)
        created = do_load_demo_cases()
        self.stdout.write(f"演示办件：新增 {created} 件。演示账号（密码均为 {DEMO_PASSWORD}）：")
        for name, spec in (STAFF | BANK_STAFF).items():
            self.stdout.write(f"  {name:<13} {spec[-1]}")
        self.stdout.write(f"  {CITIZEN:<13} 申请人（个人，旧式账号：无实名信息）")
        for citizen in do_load_demo_citizens():
            self.stdout.write(f"  {describe(citizen)}")
        do_load_demo_hotline()
        for name, hotline_spec in HOTLINE_STAFF.items():
            self.stdout.write(f"  {name:<13} {hotline_spec[-1]}")
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(
            f"通办演示已启动：http://{host}:{port}/  （管理后台 /admin/，演示账号 {username} / {password}）"))
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)

    def two_nodes(self, port: int) -> None:
        base = settings.DATA_DIR / "nodes"
        pair = demo_nodes.two_nodes(base, port)
        self.stdout.write(f"准备两个节点（数据在 {base}）……")
        demo_nodes.write_bundle(pair)
        demo_nodes.setup(pair)
        tongzhou, langfang = pair
        try:
            for node in pair:
                node.start()
            for node in pair:
                node.wait_until_up()
            marker = base / "showcase.txt"
            if not marker.exists():
                number = langfang.tongban("demo_node", "showcase-receive").stdout.strip()
                tongzhou.tongban("demo_node", "showcase-decide", number, "forwarded")
                langfang.tongban("demo_node", "wait", number, "decided")
                delegation = tongzhou.tongban("demo_node", "showcase-delegate").stdout.strip()
                delegated = langfang.tongban("demo_node", "showcase-delegated", delegation).stdout.strip()
                tongzhou.tongban("demo_node", "wait", delegated, "decided")
                marker.write_text(f"{number} {delegated}")
            number, delegated = marker.read_text().split()
            self.stdout.write(self.style.SUCCESS(
                f"两节点演示已启动：\n  通州节点 {tongzhou.url}/\n  廊坊节点 {langfang.url}/\n"
                f"办件 {number}：三河专窗收件并转交 → 通州人社受理、审查、准予 → 结果回到三河专窗待送达。\n"
                f"办件 {delegated}：通州签发审批委托 → 三河专窗依委托收件 → 廊坊人社受理、准予"
                " → 通州节点核验委托后留存副本。\n"
                f"演示账号（密码均为 {DEMO_PASSWORD}）：通州节点 tz_window、tz_rsj、tz_scj、tz_admin、tz_bank；"
                f"廊坊节点 sanhe_window、lf_window、lf_rsj、lf_scj、lf_admin、yanjiao_bank。\n"
                "接诉即办（/hotline/）：通州节点 tz_12345（话务员）、tz_beiyuan（北苑街道）、tz_zjw、tz_cgw、tz_hbj、"
                "tz_kaohe；廊坊节点 lf_12345、yanjiao_street、lf_zjj。\n"
                f"办事人（/login/，手机号 + 密码 {DEMO_PASSWORD} 或短信验证码）：通州节点 {WANG_XIAOMING}（王小明，"
                f"通州示例餐饮有限公司经办人）；廊坊节点 {LI_HONG}（李红，三河示例商贸有限公司经办人）。\n"
                "交换情况：tongban federation status（在节点环境中），或管理员登录后看“节点互联”页。按 Ctrl-C 停止。"))
            stop = []
            signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
            while not stop and all(p.poll() is None for node in pair for p in node.processes.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for node in pair:
                node.kill(signal.SIGTERM)
