"""Satisfaction figures for the dashboard."""

import datetime

from tongban.cases.actions import do_receive
from tongban.cases.tests.conftest import application
from tongban.ratings.actions import do_rate, do_verify
from tongban.ratings.figures import satisfaction
from tongban.ratings.models import Rating
from tongban.ratings.tests.conftest import drive

D = datetime.date


def test_satisfaction_counts_levels_share_and_rectifications(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    cases = []
    for _ in range(5):
        case = do_receive(people["sanhe_window"], application(rsj_item))
        cases.append(drive(people, case, [("tz_rsj", "accept", {}), ("tz_rsj", "decide", {"outcome": "approved"})]))
    ratings = [do_rate(people["sanhe_window"], case, level=level) for case, level in zip(cases, (5, 5, 3, 2, 1),
                                                                                            strict=True)]
    on_day(D(2026, 9, 30))
    do_verify(people["lf_admin"], ratings[3].rectification, "属实", days=1)  # due 2026-10-08
    figures = satisfaction(Rating.objects.all(), on=D(2026, 10, 9))
    assert figures["by_level"] == {5: 2, 4: 0, 3: 1, 2: 1, 1: 1}
    assert (figures["total"], figures["counted"], figures["excluded"]) == (5, 5, 0)
    assert (figures["satisfied"], figures["satisfied_share"], figures["bad"]) == (3, 0.6, 2)
    assert figures["rectifications"] == {"open": 2, "overdue": 1, "closed": 0, "dismissed": 0}
    Rating.objects.filter(pk=ratings[4].pk).update(excluded=True)
    figures = satisfaction(Rating.objects.filter(level__lte=3), on=D(2026, 10, 8))
    assert (figures["total"], figures["counted"], figures["satisfied_share"], figures["bad"]) == (3, 2, 0.5, 1)
    assert figures["rectifications"]["overdue"] == 0
    assert satisfaction(Rating.objects.none())["satisfied_share"] is None
