"""Test support for code that writes audit entries (imported by tests only).

pytest-django empties the database after a `transactional_db` test with Django's flush. On
PostgreSQL that is a TRUNCATE, which row triggers do not see; on SQLite it is a DELETE, which the
append-only trigger refuses, so the flush fails if the test left entries behind. Tests that commit
audit entries use the `audit_transactional_db` fixture instead of `transactional_db`.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tongban.audit import triggers


def clear_trail() -> None:
    """Delete every entry and the head, triggers lifted for the moment (tests only)."""
    with transaction.atomic(), triggers.suspended(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
        cursor.execute("DELETE FROM audit_audithead")


@pytest.fixture
def audit_transactional_db(transactional_db):
    """`transactional_db` that also clears the audit trail before pytest-django flushes the database."""
    yield
    clear_trail()
