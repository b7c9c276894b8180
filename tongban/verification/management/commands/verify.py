"""`tongban verify FILE`: check a result document file offline, against the trust bundle.

Exit status: 0 有效, 1 无效 or 已吊销, 2 the file cannot be read or is not a result document.
No network: the issuer's key comes from the trust bundle; revocation is known for documents this
node issued (its database), and reported as unknown for the others.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.verification.actions import Status, verify_document
from tongban.verification.payload import MalformedFile, parse_file


class Command(BaseCommand):
    help = "离线核验结果文书文件（.json）：有效退出码 0，无效或已吊销 1，文件无法读取 2。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="结果文书文件路径（- 表示从标准输入读取）")

    def handle(self, *args, file: str, **options):
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            data = parse_file(raw)
        except FileNotFoundError:
            raise CommandError(f"无法读取文件 {file}：文件不存在", returncode=2) from None
        except PermissionError:
            raise CommandError(f"无法读取文件 {file}：没有读取权限", returncode=2) from None
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}", returncode=2) from None
        except MalformedFile as exc:
            raise CommandError(f"{file}：{exc}", returncode=2) from None
        result = verify_document(data)
        if result.status == Status.MALFORMED:
            raise CommandError(f"{file}：{'；'.join(result.reasons)}", returncode=2)
        style = self.style.SUCCESS if result.valid else self.style.ERROR
        self.stdout.write(style(f"核验结果：{result.label}"))
        for reason in result.reasons:
            self.stdout.write(f"原因：{reason}")
        for label, value in result.facts():
            self.stdout.write(f"{label}：{value}")
        for note in result.notes:
            self.stdout.write(f"说明：{note}")
        if not result.valid:
            sys.exit(1)
