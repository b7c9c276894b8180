"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Skipped with a message when /usr/bin/chromium is absent, unless TONGBAN_REQUIRE_BROWSER=1 (CI sets
it), in which case they fail. Screenshots go to $TONGBAN_ARTIFACTS (default ./artifacts/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testsupport.audit import audit_transactional_db  # noqa: F401  (a fixture for the case flow)
from testsupport.browser import phone_context, shot

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# plain synchronous calls, so Django's async guard is relaxed for these tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-wqy-microhei"
        if os.environ.get("TONGBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    return lambda name: shot(page, name)


@pytest.fixture
def phone(browser):
    """A phone's screen (testsupport.browser.PHONE): the resident's pages are tested on it."""
    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def live_demo(transactional_db, live_server):
    from testsupport.demo import load_demo

    load_demo()  # committed; the flush after the test empties it again
    return live_server
