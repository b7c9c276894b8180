"""Builders for audit tests: a trail of n entries, and raw SQL that tampers with it."""

from __future__ import annotations

from django.db import connection, transaction

from tongban.audit import triggers
from tongban.audit.actions import do_append
from tongban.audit.models import AuditEntry


def trail(n: int, *, subject: str = "case:TB2026-000001") -> list[AuditEntry]:
    """n entries, each appended in its own transaction as a real caller would."""
    entries = []
    for i in range(1, n + 1):
        with transaction.atomic():
            entries.append(do_append(actor="wangfang", action="case.note", subject=subject, data={"n": i}))
    return entries


def tamper(*statements: tuple[str, list]) -> None:
    """Run raw SQL against the trail with the append-only triggers lifted (as a database owner could)."""
    with triggers.suspended(connection), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
