"""Duplicates and hot issues over the region's complaints (the grouping itself is in hotspots.py)."""

from __future__ import annotations

import datetime

from tongban.catalog.models import Region
from tongban.core import clock
from tongban.hotline.models import Complaint
from tongban.textmining import hotspots

DUPLICATE_DAYS = 30
MAX_MESSAGES = 5000  # the newest ones; grouping 5,000 takes a few seconds on two cores


def _message(c: Complaint) -> hotspots.Message:
    return hotspots.Message(id=c.number, text=c.text, time=c.received_at,
                            place=c.address or (c.street.name if c.street is not None else ""))


def _recent(region: Region, since: datetime.datetime) -> list[Complaint]:
    return list(Complaint.objects.filter(region=region, received_at__gte=since).select_related(
        "street", "category", "unit").order_by("-received_at")[:MAX_MESSAGES])


def likely_duplicates(text: str, region: Region, *, place: str = "", k: int = 3) -> list[tuple[Complaint, float]]:
    """Complaints of the last 30 days that look like the same problem as `text`, most similar first."""
    if len((text or "").strip()) < 5:
        return []
    at = clock.now()
    recent = _recent(region, at - datetime.timedelta(days=DUPLICATE_DAYS))
    if not recent:
        return []
    by_number = {c.number: c for c in recent}
    found = hotspots.find_similar(text, at, [_message(c) for c in recent], place=place, k=k)
    return [(by_number[number], score) for number, score in found]


def region_hot_issues(region: Region, *, since: datetime.datetime) -> list[tuple[hotspots.HotIssue, list[Complaint]]]:
    """Hot issues of the region since a time, ranked, each with its complaints."""
    recent = _recent(region, since)
    by_number = {c.number: c for c in recent}
    issues = hotspots.hot_issues([_message(c) for c in recent], now=clock.now())
    return [(issue, [by_number[i] for i in issue.member_ids]) for issue in issues]
