"""The joint meeting's figures for a known year of cases (built in conftest.py), exactly."""

from __future__ import annotations

import datetime

from tongban.catalog.models import Region
from tongban.dashboard.figures import Scope, compute, table
from tongban.dashboard.tests.conftest import TODAY

D = datetime.date
PENSION_0019 = "企业职工基本养老保险关系转移接续申请"
PENSION_0020 = "城乡居民基本养老保险关系转移接续申请"


def rows(figures, key: str) -> list[tuple[str, int]]:
    return list(figures.series[key].rows)


def test_this_year_for_both_regions(year):
    figures = compute(Scope.this_year(TODAY), TODAY)
    # A–G and K were received in 2026; H ten minutes before it.
    assert figures.total == 8
    assert rows(figures, "receiving") == [("通州", 3), ("廊坊", 1), ("三河", 4)]
    assert rows(figures, "competent") == [("通州", 4), ("廊坊", 4)]
    assert rows(figures, "modes") == [("全程网办", 1), ("异地代收代办", 6), ("多地联办", 1)]
    assert rows(figures, "channels") == [("区域通办专窗", 5), ("自助终端", 1), ("移动端", 0), ("银行网点", 1),
                                         ("网上办", 1)]
    assert rows(figures, "items") == [(PENSION_0019, 6), (PENSION_0020, 2)]
    # cross-region: A, E, G (三河 → 通州), D, F (通州 → 廊坊); local: B, C, K (三河 counts as 廊坊)
    assert (figures.cross_region, figures.local, figures.cross_share) == (5, 3, 62.5)

    # decided: A on time (4 working days), B late (21 > 15)
    assert rows(figures, "decided") == [("按时办结", 1), ("超期办结", 1)]
    assert (figures.on_time_rate, figures.working_days, figures.average_working_days) == (50.0, [4, 21], 12.5)
    assert rows(figures, "open") == [("正常", 1), ("预警", 1), ("超期", 1), ("暂停计时", 1), ("未受理", 1)]

    # ratings given in 2026: A 5, B 2, H 1 (its case is from 2025, the rating is not); K's appeal was upheld
    assert rows(figures, "levels") == [("非常满意", 1), ("满意", 0), ("基本满意", 0), ("不满意", 1), ("非常不满意", 1)]
    assert (figures.rated, figures.satisfied, figures.bad_ratings, figures.excluded_ratings) == (3, 1, 2, 1)
    assert figures.satisfied_share == 33.3
    assert figures.rectifications == {"open": 1, "overdue": 1, "closed": 1, "dismissed": 1}


def test_region_filter_keeps_cases_received_or_decided_there(year):
    langfang = Region.objects.get(code="131000")
    figures = compute(Scope.this_year(TODAY, langfang), TODAY)
    assert figures.total == 7  # all but C (通州 window, 通州 decision)
    assert rows(figures, "receiving") == [("通州", 2), ("廊坊", 1), ("三河", 4)]
    assert rows(figures, "competent") == [("通州", 3), ("廊坊", 4)]
    assert (figures.cross_region, figures.local) == (5, 2)
    assert rows(figures, "open") == [("正常", 0), ("预警", 1), ("超期", 1), ("暂停计时", 1), ("未受理", 1)]
    assert rows(figures, "levels") == [("非常满意", 1), ("满意", 0), ("基本满意", 0), ("不满意", 1), ("非常不满意", 0)]
    assert figures.satisfied_share == 50.0
    assert figures.rectifications == {"open": 1, "overdue": 1, "closed": 0, "dismissed": 1}

    tongzhou = Region.objects.get(code="110112")
    figures = compute(Scope.this_year(TODAY, tongzhou), TODAY)
    assert figures.total == 6  # all but B and K (received and decided in 廊坊)
    assert rows(figures, "decided") == [("按时办结", 1), ("超期办结", 0)]
    assert (figures.on_time_rate, figures.average_working_days) == (100.0, 4.0)
    assert rows(figures, "levels") == [("非常满意", 1), ("满意", 0), ("基本满意", 0), ("不满意", 0), ("非常不满意", 1)]


def test_period_edges_are_whole_days_in_beijing_time(year):
    last_of_2025 = compute(Scope(D(2025, 12, 31), D(2025, 12, 31)), TODAY)
    assert (last_of_2025.total, rows(last_of_2025, "receiving")) == (1, [("通州", 1)])  # H at 23:50
    first_of_2026 = compute(Scope(D(2026, 1, 1), D(2026, 1, 1)), TODAY)
    assert (first_of_2026.total, rows(first_of_2026, "open")[-1]) == (1, ("未受理", 1))  # G at 00:10

    october = compute(Scope(D(2026, 10, 1), D(2026, 10, 31)), TODAY)
    assert october.total == 1  # D
    assert rows(october, "open") == [("正常", 0), ("预警", 0), ("超期", 1), ("暂停计时", 0)]
    assert (october.decided, october.on_time_rate, october.average_working_days) == (0, None, None)
    assert (october.rated, october.excluded_ratings) == (2, 1)  # A and B rated in October; K excluded


def test_open_cases_follow_the_clock_as_of_the_day_asked(year):
    # On 11-18 E had used 9 of its 15 days, inside its 10-day promise; D had used 14 of 15: a warning.
    figures = compute(Scope.this_year(TODAY), D(2026, 11, 18))
    assert rows(figures, "open") == [("正常", 2), ("预警", 1), ("超期", 0), ("暂停计时", 1), ("未受理", 1)]


def test_nothing_received_gives_dashes_not_errors(db):
    figures = compute(Scope.this_year(TODAY), TODAY)
    assert figures.total == 0 and figures.series["items"].rows == ()
    summary = dict(((group, item), value) for group, item, value in table(figures))
    assert summary[("概况", "按时办结率")] == "—"
    assert summary[("概况", "满意率（基本满意及以上）")] == "—"
