"""`tongban audit verify|show` — check the audit chain, list the entries about one subject."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongban.audit.actions import entries_for, verify


class Command(BaseCommand):
    help = "审计记录：校验审计链、查看某一对象的审计记录"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)

        p = sub.add_parser("verify", help="校验整条审计链（被修改、删除或调换顺序的记录都会被发现）")
        p.add_argument("--batch-size", type=int, default=5000, help="每次读取的记录数，默认 5000")

        p = sub.add_parser("show", help="列出某一对象的审计记录，如 case:TB20260000123")
        p.add_argument("subject")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_verify(self, *, batch_size: int, **_) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 必须大于 0。")
        result = verify(batch_size=batch_size)
        if not result.ok:
            raise CommandError(f"审计链在第 {result.first_bad_seq} 条记录处被破坏：{result.problem}")
        self.stdout.write(f"审计链完整：共 {result.checked} 条记录")

    def handle_show(self, *, subject: str, **_) -> None:
        count = 0
        for entry in entries_for(subject).iterator():
            at = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
            data = json.dumps(entry.data, ensure_ascii=False, sort_keys=True) if entry.data else ""
            self.stdout.write(f"{entry.seq}\t{at}\t{entry.actor}\t{entry.action}\t{data}".rstrip())
            count += 1
        if count == 0:
            self.stdout.write(f"没有关于 {subject} 的审计记录。")
