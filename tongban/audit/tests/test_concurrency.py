"""Concurrent appends from several connections still give one gapless, valid chain."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from django.db import connection, connections, transaction

from tongban.audit.actions import do_append, verify
from tongban.audit.models import AuditEntry, AuditHead

THREADS, APPENDS = 2, 50


def hammer(threads: int = THREADS, appends: int = APPENDS) -> list[BaseException]:
    """`threads` threads, each with its own connection, append `appends` entries each; the errors raised."""
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            start.wait(timeout=10)
            for i in range(appends):
                with transaction.atomic():
                    do_append(actor=name, action="test.concurrent", subject=f"thread:{name}", data={"i": i})
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    workers = [threading.Thread(target=append, args=(f"t{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return errors


def assert_gapless_and_valid(total: int) -> None:
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditHead.objects.get(pk=1).seq == total
    result = verify()
    assert (result.ok, result.checked) == (True, total), result.problem


def test_concurrent_appends_are_serialised(audit_transactional_db):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test databases are in memory in shared-cache mode, where a second writer fails at "
                    "once with 'database table is locked' instead of waiting; see the file-database test below")
    assert hammer() == []
    assert_gapless_and_valid(THREADS * APPENDS)


SQLITE_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tongban.audit.tests.test_concurrency import APPENDS, THREADS, assert_gapless_and_valid, hammer
errors = hammer()
assert errors == [], errors
assert_gapless_and_valid(THREADS * APPENDS)
print("ok")
"""


@pytest.mark.slow
def test_concurrent_appends_on_a_sqlite_file_database(tmp_path):
    """The embedded default: a file database in WAL mode, where IMMEDIATE transactions serialise writers."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tongban.settings", "TONGBAN_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", SQLITE_SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
