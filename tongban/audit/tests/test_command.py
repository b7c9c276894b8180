"""`tongban audit verify` and `tongban audit show`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongban.audit.tests.helpers import tamper, trail


def run(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_verify_reports_an_intact_chain(db):
    assert run("verify") == "审计链完整：共 0 条记录\n"
    trail(4)
    assert run("verify", "--batch-size", "3") == "审计链完整：共 4 条记录\n"


def test_verify_names_the_broken_entry_and_fails(db):
    trail(4)
    tamper(("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["case.reject", 2]))
    with pytest.raises(CommandError, match=r"^审计链在第 2 条记录处被破坏：第 2 条记录的内容被篡改"):
        run("verify")


def test_show_lists_a_subjects_entries(db):
    trail(2, subject="case:A")
    trail(1, subject="case:B")
    lines = run("show", "case:A").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["1", "2"]
    assert lines[1].split("\t")[2:] == ["wangfang", "case.note", '{"n": 2}']
    assert run("show", "case:C") == "没有关于 case:C 的审计记录。\n"
