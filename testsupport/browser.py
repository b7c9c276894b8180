"""What the browser tests of the resident's pages share: a phone's screen, the no-sideways-scroll check and
screenshots into $TONGBAN_ARTIFACTS. (Chromium itself is launched once, in tests/browser/conftest.py.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(os.environ.get("TONGBAN_ARTIFACTS", "artifacts"))


def phone_context(browser: Any) -> Any:
    """A new browser context as a phone shows pages: 390 × 844, touch, zh-CN."""
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def no_sideways_scroll(page: Any) -> None:
    """The page is no wider than the phone's screen; else name the elements that stick out."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth).map(e => e.tagName + '#' + e.id).slice(-3)""")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px: {wide}"


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot, whichever screen `page` is."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
