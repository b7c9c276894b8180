"""Fixtures and hooks for every test in the repository (tongban/ and tests/).

The repository root is on sys.path while pytest runs (this file sits there), so tests import the
helpers of testsupport/, which is not part of the installed package.
"""

from __future__ import annotations

import pytest

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher(django_test_environment):
    """Tests hash passwords with MD5: PBKDF2's deliberate slowness buys nothing here (never in settings.py)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _fresh_counters():
    """The rate-limit counters (tongban.core.ratelimit) live in the process's cache: every test starts with none,
    whatever test ran before it in this process."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_search_index():
    """Each test's catalogue is its own: the search index a process cached for the last test must go (its
    stamp — the newest item version id — can repeat after a rollback)."""
    yield
    from tongban.catalog import search

    search.forget()


@pytest.fixture
def on_day(time_machine, settings):
    """on_day(day): move the service's clock (tongban.core.clock, and everything else) to 10:00 local time
    of `day`; it ticks on from there. Sessions last ten years meanwhile, so a test that logs in and then
    moves weeks ahead stays logged in."""
    import datetime

    from django.utils import timezone

    settings.SESSION_COOKIE_AGE = 10 * 366 * 24 * 3600

    def set_day(day: datetime.date) -> None:
        time_machine.move_to(timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0))), tick=True)

    return set_day


@pytest.fixture
def transactional_db(transactional_db):
    """pytest-django's `transactional_db`, with the seeded calendar and the shipped search vocabulary
    restored after earlier flushes."""
    from testsupport.calendar import ensure_seeded
    from testsupport.vocabulary import ensure_loaded

    ensure_seeded()
    ensure_loaded()
    return transactional_db


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are slow and share one worker under xdist (one Chromium, not one per worker)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group("browser"))
