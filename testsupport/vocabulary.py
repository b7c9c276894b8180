"""Test support: put the shipped search vocabulary back after pytest-django's flush (tests only).

As for the calendar (testsupport/calendar.py): a `transactional_db` test ends with a flush that
empties every table, so the rows the data migration loaded from tongban/catalog/data/vocabulary.tsv
are gone for the next test on that worker. `ensure_loaded()` reloads them into an empty table.
"""

from __future__ import annotations

import importlib

from django.apps import apps


def ensure_loaded() -> None:
    """Reload the shipped vocabulary into an empty table (the migration's rules: no file, nothing loaded)."""
    importlib.import_module("tongban.catalog.migrations.0003_default_vocabulary").load_default(apps, None)
