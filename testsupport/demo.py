"""The demo catalogue for tests, loaded the slow way once per process and copied in fast afterwards.

`tongban.demo.actions.do_load_demo` goes through the catalogue importer (versions, search tokens …)
and takes seconds; dozens of tests need its result. The first test of a process (an xdist worker is
one) runs it for real and keeps a copy of the catalogue tables' rows; every later test inserts that
copy with plain SQL inside its own transaction. Each test still starts from the same empty database
and ends with its usual rollback or flush, so no test sees rows it did not ask for.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from tongban.catalog.actions import ImportSummary

_rows: dict[str, Any] | None = None  # table → its rows (SQLite: a list of tuples; PostgreSQL: COPY data)
_summary: ImportSummary | None = None


def _tables() -> list[str]:
    """The catalogue app's tables that do_load_demo writes (it writes nothing else).

    Not the search vocabulary: a migration fills it in every test database, so counting it would make
    every test take the slow way, and copying it would duplicate its rows."""
    vocabulary = {"Synonym", "SynonymVersion"}
    models = apps.get_app_config("catalog").get_models(include_auto_created=True)
    return sorted({model._meta.db_table for model in models if model.__name__ not in vocabulary})


def _empty(tables: list[str]) -> bool:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
            if cursor.fetchone() is not None:
                return False
    return True


def _dump(tables: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    out[table] = b"".join(bytes(block) for block in copy)
            else:
                cursor.execute(f'SELECT * FROM "{table}"')
                out[table] = cursor.fetchall()
    return out


def _restore(rows: dict[str, Any]) -> None:
    # Foreign keys are DEFERRABLE INITIALLY DEFERRED on both databases: any table order will do.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in rows.items():
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(data)
                _advance_sequence(cursor, table)
            elif data:
                marks = ", ".join(["%s"] * len(data[0]))
                cursor.executemany(f'INSERT INTO "{table}" VALUES ({marks})', data)
    # SQLite's AUTOINCREMENT counter follows explicit ids by itself.


def _advance_sequence(cursor: Any, table: str) -> None:
    """Move the id sequence past the copied ids (it already is, unless a test reset the sequences)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"'])
    sequence = cursor.fetchone()[0]
    if sequence:
        cursor.execute(f'SELECT GREATEST((SELECT MAX(id) FROM "{table}"), last_value) FROM {sequence}')
        cursor.execute("SELECT setval(%s, %s)", [sequence, cursor.fetchone()[0]])


def load_demo() -> ImportSummary:
    """The demo catalogue in the current test's database; returns do_load_demo's summary."""
    global _rows, _summary
    from tongban.demo.actions import do_load_demo

    tables = _tables()
    if not _empty(tables):  # the test put catalogue rows in first: merge the slow, exact way
        return do_load_demo()
    if _rows is None:
        _summary = do_load_demo()
        _rows = _dump(tables)
        return _summary
    _restore(_rows)
    assert _summary is not None
    return dataclasses.replace(_summary, departments_created=list(_summary.departments_created))
