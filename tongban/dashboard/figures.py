"""The joint meeting's figures (联席会议看板): pure queries plus the legal clock, no view code.

Cases are selected by the day they were received (in the node's time zone), ratings by the day they
were given; the region filter keeps what *involves* a region — received there (or in one of its
counties and zones) or decided there — which is the same rule `cases.actions.can_view` applies to an
administrator. Every time figure (on-time, open cases by status, working days used) is the status or
`used` of `cases.clock.clock()`, so the dashboard agrees with the queue and the case page.
docs/dashboard.md gives each figure's exact definition.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tongban.cases.clock import Status, clock
from tongban.cases.models import Case, State
from tongban.catalog.models import ChannelKind, Mode, Region
from tongban.ratings.models import Level, Rating, Rectification

TOP_ITEMS = 10
OPEN_STATES = (State.SUBMITTED, State.FORWARDED, State.SUPPLEMENT, State.ACCEPTED, State.IN_REVIEW,
               State.SUSPENDED)
# Open-case statuses always shown (even at zero), in this order; others appear only when they occur.
OPEN_STATUSES = (Status.RUNNING, Status.WARNING, Status.OVERDUE, Status.PAUSED)
OTHER_OPEN_STATUSES = (Status.NOT_STARTED, Status.NO_LIMIT, Status.UNKNOWN)
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
CLOCK_FIELDS = ("state", "accepted_on", "decided_on", "legal_limit_days", "promised_limit_days",
                "extension_days", "paused_workdays", "paused_since")


@dataclass(frozen=True)
class Scope:
    """What to count: received (cases) / given (ratings) from `start` to `end` inclusive, in `region`."""

    start: datetime.date
    end: datetime.date
    region: Region | None = None  # a root region (通州区 / 廊坊市), or None for both

    @classmethod
    def this_year(cls, today: datetime.date, region: Region | None = None) -> Scope:
        return cls(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31), region)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[00:00 of start, 00:00 of the day after end) in the node's time zone."""
        zone = timezone.get_current_timezone()
        begin = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        stop = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return begin, stop

    def involves(self, prefix: str = "") -> Q:
        if self.region is None:
            return Q()
        code = self.region.code
        return (Q(**{f"{prefix}receiving_region__code": code}) | Q(**{f"{prefix}receiving_region__parent__code": code})
                | Q(**{f"{prefix}competent_region__code": code}))

    def cases(self) -> QuerySet[Case]:
        begin, stop = self.bounds()
        return Case.objects.filter(self.involves(), received_at__gte=begin, received_at__lt=stop)

    def ratings(self) -> QuerySet[Rating]:
        begin, stop = self.bounds()
        return Rating.objects.filter(self.involves("case__"), created_at__gte=begin, created_at__lt=stop)


@dataclass(frozen=True)
class Series:
    """One chart and its table: labelled counts in display order."""

    key: str
    title: str
    rows: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)

    def get(self, label: str) -> int:
        return dict(self.rows).get(label, 0)


@dataclass
class Figures:
    scope: Scope
    today: datetime.date
    total: int = 0
    series: dict[str, Series] = field(default_factory=dict)
    cross_region: int = 0
    local: int = 0
    on_time: int = 0
    late: int = 0
    decided_without_clock: int = 0  # decided, but no limit or calendar not loaded: not in the rate
    working_days: list[int] = field(default_factory=list)  # `used` of each decided case with a limit
    rated: int = 0
    excluded_ratings: int = 0
    rectifications: dict[str, int] = field(default_factory=dict)

    @property
    def cross_share(self) -> float | None:
        return _share(self.cross_region, self.total)

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.decided)

    @property
    def average_working_days(self) -> float | None:
        return round(sum(self.working_days) / len(self.working_days), 1) if self.working_days else None

    @property
    def satisfied(self) -> int:
        levels = self.series["levels"]
        return sum(levels.get(level.label) for level in SATISFIED_LEVELS)

    @property
    def bad_ratings(self) -> int:
        levels = self.series["levels"]
        return sum(levels.get(level.label) for level in BAD_LEVELS)

    @property
    def satisfied_share(self) -> float | None:
        return _share(self.satisfied, self.rated)

    @property
    def open_cases(self) -> int:
        return self.series["open"].total


def _share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def compute(scope: Scope, today: datetime.date) -> Figures:
    """All figures for `scope`, with open cases' clocks as of `today`."""
    figures = Figures(scope=scope, today=today)
    cases = scope.cases()
    _volumes(figures, cases)
    _clock_figures(figures, cases)
    _satisfaction(figures, scope.ratings())
    return figures


def _volumes(figures: Figures, cases: QuerySet[Case]) -> None:
    def grouped(*fields: str) -> list[dict]:
        return list(cases.order_by().values(*fields).annotate(n=Count("id")))

    roots = list(Region.objects.filter(parent__isnull=True).order_by("code").values_list("code", "short_name"))
    receiving = Counter({(row["receiving_region__code"], row["receiving_region__short_name"]): row["n"]
                         for row in grouped("receiving_region__code", "receiving_region__short_name")})
    figures.series["receiving"] = Series("receiving", "按收件地区", tuple(
        (name, n) for (_, name), n in sorted(receiving.items())))
    competent = Counter({(row["competent_region__code"], row["competent_region__short_name"]): row["n"]
                         for row in grouped("competent_region__code", "competent_region__short_name")})
    for root in roots:
        competent.setdefault(root, 0)
    figures.series["competent"] = Series("competent", "按审批地区", tuple(
        (name, n) for (_, name), n in sorted(competent.items())))

    items = cases.order_by().values("item__code", "item__name").annotate(n=Count("id")).order_by("-n", "item__code")
    figures.series["items"] = Series("items", f"办件量前 {TOP_ITEMS} 的事项", tuple(
        (row["item__name"], row["n"]) for row in items[:TOP_ITEMS]))

    kinds = {row["receiving_channel__kind"] or ChannelKind.ONLINE: row["n"]
             for row in grouped("receiving_channel__kind")}
    figures.series["channels"] = Series("channels", "按收件渠道", tuple(
        (kind.label, kinds.get(kind.value, 0)) for kind in ChannelKind))
    modes = {row["mode"]: row["n"] for row in grouped("mode")}
    figures.series["modes"] = Series("modes", "按通办模式", tuple(
        (mode.label, modes.get(mode.value, 0)) for mode in Mode))

    for row in grouped("receiving_region_id", "receiving_region__parent_id", "competent_region_id"):
        root = row["receiving_region__parent_id"] or row["receiving_region_id"]
        if root == row["competent_region_id"]:
            figures.local += row["n"]
        else:
            figures.cross_region += row["n"]
    figures.total = figures.cross_region + figures.local
    figures.series["cross"] = Series("cross", "跨区域与本地办件", (
        ("跨区域办件", figures.cross_region), ("本地办件", figures.local)))


def _clock_figures(figures: Figures, cases: QuerySet[Case]) -> None:
    """Decided cases by on-time / late, open cases by clock status, working days used — all from `clock()`."""
    statuses: Counter[str] = Counter()
    relevant = cases.filter(Q(decided_on__isnull=False) | Q(state__in=OPEN_STATES)).order_by().only(*CLOCK_FIELDS)
    for case in relevant.iterator(chunk_size=2000):
        view = clock(case, figures.today)
        if case.decided_on is None:
            statuses[view.status] += 1
        elif view.status == Status.ON_TIME:
            figures.on_time += 1
            assert view.used is not None  # a clock that ran to a decision counted its days
            figures.working_days.append(view.used)
        elif view.status == Status.LATE:
            figures.late += 1
            assert view.used is not None
            figures.working_days.append(view.used)
        else:
            figures.decided_without_clock += 1
    shown = OPEN_STATUSES + tuple(s for s in OTHER_OPEN_STATUSES if statuses[s])
    figures.series["open"] = Series("open", "在办件计时状态", tuple((s, statuses[s]) for s in shown))
    figures.series["decided"] = Series("decided", "已办结件", (
        (Status.ON_TIME, figures.on_time), (Status.LATE, figures.late)))


def _satisfaction(figures: Figures, ratings: QuerySet[Rating]) -> None:
    counted = ratings.filter(excluded=False)
    levels = dict(counted.order_by().values_list("level").annotate(n=Count("id")))
    figures.series["levels"] = Series("levels", "好差评各等级", tuple(
        (level.label, levels.get(level.value, 0)) for level in sorted(Level, reverse=True)))
    figures.rated = sum(levels.values())
    figures.excluded_ratings = ratings.filter(excluded=True).count()

    # Open / closed / overdue as the ratings pages count them: by `closed_at` and `due_on`, not by state.
    rectifications = Rectification.objects.filter(rating__in=ratings.values("pk"))
    open_ = rectifications.filter(closed_at__isnull=True)
    closed = rectifications.filter(closed_at__isnull=False)
    dismissed = closed.filter(state=Rectification.State.DISMISSED).count()
    figures.rectifications = {
        "open": open_.count(),
        "overdue": open_.filter(due_on__lt=figures.today).count(),
        "closed": closed.count() - dismissed,
        "dismissed": dismissed,
    }
    figures.series["rectifications"] = Series("rectifications", "差评整改", (
        ("未办结", figures.rectifications["open"]),
        ("其中超期", figures.rectifications["overdue"]),
        ("已复核办结", figures.rectifications["closed"]),
        ("申诉成立，不予整改", figures.rectifications["dismissed"]),
    ))


def table(figures: Figures) -> list[tuple[str, str, str]]:
    """The figures as (group, item, value) rows: the CSV export and the summary table."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value}%"

    rows: list[tuple[str, str, str]] = [
        ("概况", "办件量", str(figures.total)),
        ("概况", "跨区域办件", str(figures.cross_region)),
        ("概况", "跨区域办件占比", pct(figures.cross_share)),
        ("概况", "已办结（计时）", str(figures.decided)),
        ("概况", "按时办结率", pct(figures.on_time_rate)),
        ("概况", "平均办理用时（工作日）",
         "—" if figures.average_working_days is None else str(figures.average_working_days)),
        ("概况", "已办结（无时限或日历未载入）", str(figures.decided_without_clock)),
        ("概况", "在办件", str(figures.open_cases)),
        ("概况", "有效评价", str(figures.rated)),
        ("概况", "满意率（基本满意及以上）", pct(figures.satisfied_share)),
        ("概况", "差评", str(figures.bad_ratings)),
        ("概况", "申诉成立不计入的评价", str(figures.excluded_ratings)),
    ]
    for key in ("receiving", "competent", "channels", "modes", "cross", "items", "decided", "open", "levels",
                "rectifications"):
        series = figures.series[key]
        rows.extend((series.title, label, str(n)) for label, n in series.rows)
    return rows
