"""The charts really draw in Chromium, from the vendored ECharts, with nothing fetched from elsewhere."""

from __future__ import annotations

import pytest

from tongban.cases.tests.conftest import application, people, rsj_item  # noqa: F401  (fixtures)
from tongban.conftest import demo  # noqa: F401  (fixture)
from tongban.dashboard.tests.conftest import year  # noqa: F401  (fixtures: the clock moved by time-machine)

pytestmark = pytest.mark.browser


def test_admin_sees_drawn_charts(audit_transactional_db, year, live_server, page):  # noqa: F811
    problems: list[str] = []
    foreign: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else foreign.append(request.url))

    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/")
    page.fill("#id_username", "tz_admin")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.wait_for_selector(".chart.drawn svg")

    assert page.locator(".chart.drawn svg").count() == 10
    assert page.locator("details.numbers[open]").count() == 0  # the tables fold away once the charts show
    assert "8" == page.locator(".headline .figure strong").first.inner_text()
    levels = page.locator("[data-chart=levels]").inner_text()
    assert "非常满意" in levels and "非常不满意" in levels
    assert "超期 1" in page.locator("[data-chart=open]").inner_text()  # the donut's legend with its count
    assert problems == [] and foreign == []
