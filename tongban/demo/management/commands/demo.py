"""`tongban demo` — migrate, load the demo data, and serve it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tongban.demo.actions import do_load_demo
from tongban.demo.cases import CITIZEN, DEMO_PASSWORD, STAFF, do_load_demo_cases

DEMO_ADMIN = ("admin", "tongban-demo")


class Command(BaseCommand):
    help = "启动演示：建库、载入两地演示数据（523 个通办事项）并启动网站"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站")
        parser.add_argument("--any-database", action="store_true",
                            help="允许在非 SQLite 数据库上载入演示数据和演示账号（默认拒绝）")

    def handle(self, *args, host: str, port: int, no_serve: bool, any_database: bool, **options) -> None:
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
        for name, spec in STAFF.items():
            self.stdout.write(f"  {name:<13} {spec[-1]}")
        self.stdout.write(f"  {CITIZEN:<13} 申请人（个人）")
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(
            f"通办演示已启动：http://{host}:{port}/  （管理后台 /admin/，演示账号 {username} / {password}）"))
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
