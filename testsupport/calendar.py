"""Test support: put the seeded calendar back after pytest-django's flush (imported by tests only).

A `transactional_db` test ends with a flush that empties every table — including the calendar rows
the data migration seeded — so the next transactional test would find no year loaded. The root
conftest's `transactional_db` calls `ensure_seeded()` first.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from tongban.calendar.actions import clear_cache
from tongban.calendar.models import CalendarYear


def ensure_seeded() -> None:
    if CalendarYear.objects.exists():
        return
    seed = importlib.import_module("tongban.calendar.migrations.0002_seed_chinese_calendar").seed
    seed(apps, None)
    clear_cache()
