"""Cases of the cases tests, staff of both regions, and a clean rate-limit cache for every test."""

from __future__ import annotations

import datetime

import pytest

from tongban.cases.actions import do_receive, do_transition
from tongban.cases.tests.conftest import application, people, rsj_item  # noqa: F401  (fixtures)

D = datetime.date



@pytest.fixture
def accepted_case(people, rsj_item, on_day):  # noqa: F811
    """异地代收代办: received at the 三河 window on 2026-09-28, forwarded, accepted in 通州 on 09-29."""
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    case = do_transition(people["sanhe_window"], case, "forward")
    on_day(D(2026, 9, 29))
    return do_transition(people["tz_rsj"], case, "accept")
