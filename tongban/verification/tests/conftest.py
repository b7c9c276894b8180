"""Decided cases built through the real case actions (documents/tests/conftest.py), one node per test."""

import datetime

import pytest

from testsupport.verification import isolated_node  # noqa: F401
from tongban.cases.actions import do_transition
from tongban.documents.tests.conftest import FULL_ID, make_case, people, rsj_item  # noqa: F401
from tongban.verification.actions import do_issue_result


@pytest.fixture(autouse=True)
def _own_node(isolated_node):  # noqa: F811
    return isolated_node


@pytest.fixture
def issued(make_case):  # noqa: F811
    """An approved case (三河 window → 通州区人社局) and its signed result document."""
    case = make_case("completion")
    return case, do_issue_result(case)


@pytest.fixture
def denied_case(make_case, people, on_day):  # noqa: F811
    case = make_case("acceptance")
    on_day(datetime.date(2026, 10, 9))
    return do_transition(people["tz_rsj"], case, "decide", outcome="denied", note="不符合申领条件")
