"""A small year of cases in both regions, in every mode and clock state, with ratings and rectifications.

'Today' is Friday 2026-11-20. Working days are the official 2026 calendar (Mid-Autumn 09-25,
National Day 10-01..10-07, make-up Saturday 10-10). Expected figures are worked out in the tests.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import Case
from tongban.cases.tests.conftest import application, online_application, people, rsj_item  # noqa: F401
from tongban.catalog.models import Channel, Item
from tongban.ratings.models import Rating, Rectification

D = datetime.date
TODAY = D(2026, 11, 20)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _received(case: Case, when: datetime.datetime, channel: str | None = None) -> Case:
    """Set when (and, for a terminal or bank outlet, where) a case was received; do_receive stamps 'now'."""
    changes: dict = {"received_at": when}
    if channel:
        changes["receiving_channel"] = Channel.objects.get(name=channel)
    Case.objects.filter(pk=case.pk).update(**changes)
    return Case.objects.get(pk=case.pk)



@pytest.fixture
def year(people, rsj_item, on_day):  # noqa: F811
    """Cases A–K and four ratings (see the module docstring of each test for the expected figures)."""
    p = people
    pension = Item.objects.get(code="JJTB-BM-0020")  # 城乡居民基本养老保险关系转移接续申请, 15 / 10 days
    cases: dict[str, Case] = {}

    # A: 异地代收代办 received in 三河 for 通州, accepted 09-28, decided 10-09 — 4 working days, on time.
    on_day(D(2026, 9, 28))
    a = do_receive(p["sanhe_window"], application(rsj_item))
    a = do_transition(p["sanhe_window"], a, "forward")
    a = do_transition(p["tz_rsj"], a, "accept")
    on_day(D(2026, 10, 9))
    a = do_transition(p["tz_rsj"], a, "start_review")
    a = do_transition(p["tz_rsj"], a, "decide", outcome="approved")
    cases["A"] = _received(a, at(2026, 9, 28, 9))

    # B: 全程网办 by a citizen for 廊坊, accepted 09-01, decided 09-30 — 21 working days > 15, late.
    on_day(D(2026, 9, 1))
    b = do_receive(p["citizen"], online_application(rsj_item, competent_region="131000"))
    b = do_transition(p["lf_rsj"], b, "accept")
    on_day(D(2026, 9, 30))
    b = do_transition(p["lf_rsj"], b, "decide", outcome="approved")
    cases["B"] = _received(b, at(2026, 9, 1))

    # C: 多地联办 at the 通州 window for 通州 (local), accepted 11-16 — 4 days used, 正常.
    on_day(D(2026, 11, 16))
    c = do_receive(p["tz_window"], application(pension, mode="多地联办"))
    c = do_transition(p["tz_rsj"], c, "accept")
    cases["C"] = _received(c, at(2026, 11, 16))

    # D: 通州 window for 廊坊, accepted 10-29 — 16 working days used of 15, 超期.
    on_day(D(2026, 10, 29))
    d = do_receive(p["tz_window"], application(pension, competent_region="131000"))
    d = do_transition(p["tz_window"], d, "forward")
    d = do_transition(p["lf_rsj"], d, "accept")
    cases["D"] = _received(d, at(2026, 10, 29, 8, 30))

    # E: received at the 燕郊 bank outlet for 通州, accepted 11-05 — 11 used, past the 10-day promise: 预警.
    on_day(D(2026, 11, 5))
    e = do_receive(p["sanhe_window"], application(rsj_item))
    e = do_transition(p["tz_rsj"], e, "accept")
    cases["E"] = _received(e, at(2026, 11, 5), channel="三河市燕郊银行网点政银合作服务点")

    # F: a 廊坊 terminal in the 通州 hall, for 廊坊; accepted 11-16, supplement requested 11-17: 暂停计时.
    on_day(D(2026, 11, 16))
    f = do_receive(p["tz_window"], application(rsj_item, competent_region="131000"))
    f = do_transition(p["lf_rsj"], f, "accept")
    on_day(D(2026, 11, 17))
    f = do_transition(p["lf_rsj"], f, "request_supplement", missing=["解除劳动关系证明"])
    cases["F"] = _received(f, at(2026, 11, 16), channel="廊坊政务自助终端（北京城市副中心政务服务中心）")

    # G: received in 三河 for 通州 ten minutes into 2026, never acted on: 未受理.
    on_day(D(2026, 1, 5))
    g = do_receive(p["sanhe_window"], application(rsj_item))
    cases["G"] = _received(g, at(2026, 1, 1, 0, 10))

    # H: 通州 window for 通州, refused — received ten minutes before 2026: outside this year.
    h = do_receive(p["tz_window"], application(rsj_item))
    h = do_transition(p["tz_rsj"], h, "refuse", reason="不符合受理条件", basis="《行政许可法》第三十二条")
    cases["H"] = _received(h, at(2025, 12, 31, 23, 50))

    # K: 三河 window for 廊坊 (local: 三河 is part of 廊坊), refused.
    k = do_receive(p["sanhe_window"], application(rsj_item, competent_region="131000"))
    k = do_transition(p["lf_rsj"], k, "refuse", reason="不符合受理条件", basis="《行政许可法》第三十二条")
    cases["K"] = _received(k, at(2026, 3, 2))

    # Ratings, counted by the day they were given.
    Rating.objects.create(case=cases["A"], level=5, created_at=at(2026, 10, 12))
    bad = Rating.objects.create(case=cases["B"], level=2, created_at=at(2026, 10, 1))
    Rectification.objects.create(rating=bad, state=Rectification.State.RECTIFYING, due_on=D(2026, 10, 20),
                                 opened_at=at(2026, 10, 1))  # past its due date: overdue
    appealed = Rating.objects.create(case=cases["K"], level=1, created_at=at(2026, 10, 15), excluded=True)
    Rectification.objects.create(rating=appealed, state=Rectification.State.DISMISSED, opened_at=at(2026, 10, 15),
                                 closed_at=at(2026, 10, 30))
    early = Rating.objects.create(case=cases["H"], level=1, created_at=at(2026, 1, 5))  # case from 2025
    Rectification.objects.create(rating=early, state=Rectification.State.RECHECKED, due_on=D(2026, 1, 19),
                                 opened_at=at(2026, 1, 5), closed_at=at(2026, 1, 16))
    on_day(TODAY)
    return cases
