"""Database triggers that make the entry table append-only: UPDATE and DELETE are refused.

SQLite and PostgreSQL spell triggers differently, so the SQL is chosen by `connection.vendor`.
Both raise an integrity error (SQLite `RAISE(ABORT)`, PostgreSQL SQLSTATE 23001 restrict_violation),
which Django surfaces as `django.db.IntegrityError`.

`suspended()` lifts the triggers inside the current transaction. It exists for tests that tamper
with the trail on purpose; nothing in the product calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as default_connection

TABLE = "audit_auditentry"
TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")
MESSAGE = "audit entries are append-only (审计记录只能追加，不能修改或删除)"

SQLITE_INSTALL = [
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]

POSTGRESQL_INSTALL = [
    "CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation'; END $$",
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()",
    f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()",
]
POSTGRESQL_REMOVE = [f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in TRIGGERS] + [
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()"
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    raise NotImplementedError(f"no append-only triggers for database vendor {vendor!r}")


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)


@contextmanager
def suspended(connection=default_connection) -> Iterator[None]:
    """Lift the append-only triggers until the block ends (tests only; needs table-owner rights).

    SQLite has no way to disable a trigger, so they are dropped and created again; PostgreSQL disables
    and re-enables them. Either way the change is transactional: if the surrounding transaction rolls
    back (as a pytest-django `db` test does), the triggers are back as before.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {name}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for name in TRIGGERS:
                    cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {name}")
    else:
        remove(connection)
        try:
            yield
        finally:
            install(connection)
