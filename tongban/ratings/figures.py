"""好差评 figures for the dashboard: one call, two queries.

    from tongban.ratings.figures import satisfaction
    satisfaction(Rating.objects.filter(case__receiving_region__code="131082"))

`satisfaction(ratings, on=None)` takes any queryset of `Rating` (filter it by region, channel, officer,
period … before the call) and returns a dict:

    total            all ratings in the queryset, excluded ones too
    counted          ratings that count: not excluded by an upheld appeal
    excluded         ratings excluded by an upheld appeal (申诉成立)
    by_level         {5: n, 4: n, 3: n, 2: n, 1: n} over counted ratings (labels: ratings.models.Level)
    satisfied        counted ratings of level 3–5 (基本满意 and better)
    satisfied_share  satisfied / counted as a float in [0, 1], or None when nothing is counted
    bad              counted ratings of level 1–2 (差评)
    rectifications   {"open": n, "overdue": n, "closed": n, "dismissed": n} for the rectifications of
                     these ratings: open = not closed yet (overdue is the part of it past its due date on
                     `on`, default today); closed = rechecked (复核办结); dismissed = appeal upheld
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from tongban.core import clock
from tongban.ratings.models import BAD_LEVELS, SATISFIED_LEVELS, Level, Rectification


def satisfaction(ratings: QuerySet, on: datetime.date | None = None) -> dict:
    """Satisfaction and rectification figures of a queryset of ratings (see the module docstring)."""
    if on is None:
        on = clock.today()
    counted = Q(excluded=False)
    levels = ratings.order_by().aggregate(
        total=Count("pk"),
        counted=Count("pk", filter=counted),
        **{f"level_{level}": Count("pk", filter=counted & Q(level=level)) for level in Level.values},
    )
    by_level = {level: levels[f"level_{level}"] for level in sorted(Level.values, reverse=True)}
    satisfied = sum(by_level[level] for level in SATISFIED_LEVELS)
    State = Rectification.State
    rects = Rectification.objects.filter(rating__in=ratings.order_by().values("pk")).aggregate(
        open=Count("pk", filter=Q(closed_at__isnull=True)),
        overdue=Count("pk", filter=Q(closed_at__isnull=True, due_on__lt=on)),
        closed=Count("pk", filter=Q(state=State.RECHECKED)),
        dismissed=Count("pk", filter=Q(state=State.DISMISSED)),
    )
    return {
        "total": levels["total"],
        "counted": levels["counted"],
        "excluded": levels["total"] - levels["counted"],
        "by_level": by_level,
        "satisfied": satisfied,
        "satisfied_share": satisfied / levels["counted"] if levels["counted"] else None,
        "bad": sum(by_level[level] for level in BAD_LEVELS),
        "rectifications": rects,
    }
