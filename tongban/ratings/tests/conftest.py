"""Cases driven to an outcome, ready to be rated; the staff and 'today' of the cases tests."""

from __future__ import annotations

import datetime
import json

import pytest

from testsupport.audit import audit_transactional_db  # noqa: F401  (fixture)
from tongban.cases.actions import do_receive, do_transition
from tongban.cases.tests.conftest import application, online_application, people, rsj_item  # noqa: F401
from tongban.ratings.actions import do_rate

D = datetime.date



def drive(staff, case, steps):
    for user, action, params in steps:
        case = do_transition(staff[user], case, action, **params)
    return case


@pytest.fixture
def walk_in_case(people, rsj_item, on_day):  # noqa: F811
    """异地代收代办 for a walk-in applicant: received at the 三河 window, decided in 通州, picked up in 三河."""
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    return drive(people, case, [("sanhe_window", "forward", {}), ("tz_rsj", "accept", {}),
                                ("tz_rsj", "decide", {"outcome": "approved"}), ("sanhe_window", "deliver", {})])


@pytest.fixture
def online_case(people, rsj_item, on_day):  # noqa: F811
    """全程网办 by the citizen with an account, decided and delivered as an electronic licence by 通州."""
    on_day(D(2026, 9, 28))
    case = do_receive(people["citizen"], online_application(rsj_item, delivery="electronic"))
    return drive(people, case, [("tz_rsj", "accept", {}), ("tz_rsj", "decide", {"outcome": "approved"}),
                                ("tz_rsj", "deliver", {})])


@pytest.fixture
def bad_rating(people, walk_in_case, on_day):  # noqa: F811
    """A 不满意 recorded at the 三河 counter on 2026-09-30: its rectification is 廊坊's."""
    on_day(D(2026, 9, 30))
    return do_rate(people["sanhe_window"], walk_in_case, level=2, comment="等候时间太长，材料要求没有一次说清")


@pytest.fixture
def rect(bad_rating):
    return bad_rating.rectification


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")
