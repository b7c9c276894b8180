"""Cases in each state, built through the real case actions (as in cases/tests/test_lifecycle.py)."""

import datetime

import pytest

from testsupport.verification import isolated_node  # noqa: F401
from tongban.cases.actions import do_receive, do_transition
from tongban.cases.tests.conftest import VALID_ID, application, people, rsj_item  # noqa: F401

D = datetime.date
FULL_ID = VALID_ID  # must never appear on a notice


@pytest.fixture(autouse=True)
def _own_node(isolated_node):  # noqa: F811
    """The completion notice signs its result: with a key of the test's own, not var/node_key.pem."""
    return isolated_node



@pytest.fixture
def make_case(people, rsj_item, on_day):  # noqa: F811
    """make_case(kind) → a case received in 三河 for 通州区人社局 that has just reached `kind`'s state."""

    def make(kind: str, **overrides):
        on_day(D(2026, 9, 28))
        window, approver = people["sanhe_window"], people["tz_rsj"]
        case = do_receive(window, application(rsj_item, materials_checked=["申请人居民身份证"],
                                              **overrides))
        if kind == "refusal":
            return do_transition(approver, case, "refuse", reason="申请事项不属于本机关职权范围",
                                 basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项")
        if kind in ("acceptance", "supplement", "completion"):
            case = do_transition(window, case, "forward")
            case = do_transition(approver, case, "accept")
        if kind == "supplement":
            on_day(D(2026, 9, 29))
            return do_transition(approver, case, "request_supplement", note="复印件须加盖公章",
                                 missing=["解除劳动关系证明", "银行账户信息", "解除劳动关系证明"])
        if kind == "completion":
            on_day(D(2026, 10, 9))
            return do_transition(approver, case, "decide", outcome="approved")
        return case

    return make
