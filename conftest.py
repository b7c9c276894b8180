"""Fixtures for every test in the repository (tongban/ and tests/)."""

import pytest


@pytest.fixture
def transactional_db(transactional_db):
    """pytest-django's `transactional_db`, with the seeded calendar restored after earlier flushes."""
    from testsupport.calendar import ensure_seeded

    ensure_seeded()
    return transactional_db
