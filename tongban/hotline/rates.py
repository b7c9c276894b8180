"""三率 — response, resolution and satisfaction rates per unit per month, the composite score and the ranking.

A complaint counts in the month it was registered, for the unit it was (last) dispatched to:

- 响应率 = contacted by the contact limit / complaints whose contact limit has passed or that were contacted;
- 解决率 = called back and solved / called back;
- 满意率 = called back and 满意 or 基本满意 / called back;
- 综合成绩 = the weighted sum of the three (weights from the newest `Weights` row, 10/45/45 by default),
  only for a unit with all three rates; others are listed after the ranked ones.

吹哨报到 scores each summoned department separately: tasks, reported on time, and the street's mean score.
"""

from __future__ import annotations

import calendar
import datetime
import io
from dataclasses import dataclass

from django.utils import timezone

from tongban.catalog.models import Region
from tongban.core import clock
from tongban.hotline.models import Complaint, Satisfaction, Unit, Weights, WhistleTask


@dataclass
class UnitRates:
    unit: Unit
    complaints: int = 0
    response_base: int = 0
    responded: int = 0
    callbacks: int = 0
    solved: int = 0
    satisfied: int = 0
    composite: float | None = None
    rank: int | None = None

    @staticmethod
    def _pct(n: int, d: int) -> float | None:
        return round(100 * n / d, 1) if d else None

    @property
    def response_rate(self) -> float | None:
        return self._pct(self.responded, self.response_base)

    @property
    def resolution_rate(self) -> float | None:
        return self._pct(self.solved, self.callbacks)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._pct(self.satisfied, self.callbacks)


@dataclass
class WhistleScore:
    unit: Unit
    tasks: int = 0
    due: int = 0  # reported, or past the deadline: the base of the on-time rate
    reported: int = 0
    on_time: int = 0
    score_sum: int = 0
    scored: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None

    @property
    def mean_score(self) -> float | None:
        return round(self.score_sum / self.scored, 2) if self.scored else None


def current_weights() -> Weights:
    return Weights.objects.first() or Weights()


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("月份应为 2000-01 到 2100-12 之间。")
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=tz)
    end = start + datetime.timedelta(days=calendar.monthrange(year, month)[1])
    return start, end


def monthly_rates(year: int, month: int, *, region: Region | None = None,
                  at: datetime.datetime | None = None) -> list[UnitRates]:
    """Every unit that had complaints in the month, ranked by composite score (best first)."""
    start, end = month_bounds(year, month)
    at = at or clock.now()
    rows = Complaint.objects.filter(received_at__gte=start, received_at__lt=end, unit__isnull=False)
    if region is not None:
        rows = rows.filter(region=region)
    by_unit: dict[int, UnitRates] = {}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=rows.values("unit_id"))}
    for unit_id, contact_due, contacted_at, solved, satisfaction in rows.values_list(
            "unit_id", "contact_due", "contacted_at", "solved", "satisfaction").iterator():
        r = by_unit.setdefault(unit_id, UnitRates(units[unit_id]))
        r.complaints += 1
        if contacted_at is not None or (contact_due is not None and contact_due < at):
            r.response_base += 1
            if contacted_at is not None and (contact_due is None or contacted_at <= contact_due):
                r.responded += 1
        if solved is not None:
            r.callbacks += 1
            r.solved += solved
            r.satisfied += satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC)
    w = current_weights()
    for r in by_unit.values():
        responded, resolved, satisfied = r.response_rate, r.resolution_rate, r.satisfaction_rate
        if responded is not None and resolved is not None and satisfied is not None:
            r.composite = round((w.response * responded + w.resolution * resolved
                                 + w.satisfaction * satisfied) / 100, 2)
    ranked = sorted(by_unit.values(), key=lambda r: (r.composite is None, -(r.composite or 0), r.unit.name))
    for i, r in enumerate(ranked, start=1):
        r.rank = i if r.composite is not None else None
    return ranked


def whistle_scores(year: int, month: int, *, region: Region | None = None,
                   at: datetime.datetime | None = None) -> list[WhistleScore]:
    """The summoned departments of the month (by time of the whistle), best on-time rate first.

    On-time rate = reported by the deadline / tasks reported or past their deadline (a task still
    within its time is not counted yet)."""
    start, end = month_bounds(year, month)
    at = at or clock.now()
    tasks = WhistleTask.objects.filter(whistled_at__gte=start, whistled_at__lt=end).select_related("unit")
    if region is not None:
        tasks = tasks.filter(complaint__region=region)
    out: dict[int, WhistleScore] = {}
    for t in tasks:
        s = out.setdefault(t.unit_id, WhistleScore(t.unit))
        s.tasks += 1
        s.due += t.reported_at is not None or t.due < at
        if t.reported_at is not None:
            s.reported += 1
            s.on_time += t.reported_at <= t.due
        if t.score is not None:
            s.score_sum += t.score
            s.scored += 1
    return sorted(out.values(), key=lambda s: (-(s.on_time_rate or 0), -(s.mean_score or 0), s.unit.name))


def to_xlsx(year: int, month: int, rates: list[UnitRates], scores: list[WhistleScore]) -> bytes:
    """The month's ranking and the whistle scores as an Excel workbook (two sheets)."""
    from openpyxl import Workbook

    w = current_weights()
    wb = Workbook()
    ws = wb.active
    ws.title = "三率排名"
    ws.append([f"{year}年{month}月 接诉即办三率排名（权重：响应 {w.response}% · 解决 {w.resolution}% · "
               f"满意 {w.satisfaction}%）"])
    ws.append(["排名", "承办单位", "类型", "诉求量", "响应率(%)", "解决率(%)", "满意率(%)", "综合成绩"])
    for r in rates:
        ws.append([r.rank or "—", r.unit.name, r.unit.get_kind_display(), r.complaints, r.response_rate,
                   r.resolution_rate, r.satisfaction_rate, r.composite])
    ws2 = wb.create_sheet("吹哨报到")
    ws2.append(["报到部门", "任务数", "已报到", "按时报到", "按时率(%)", "街道平均评分"])
    for s in scores:
        ws2.append([s.unit.name, s.tasks, s.reported, s.on_time, s.on_time_rate, s.mean_score])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
