"""三率 per unit per month, the weighted composite, the ranking, whistle scores and the Excel export."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from tongban.core.errors import Conflict
from tongban.hotline import actions, rates
from tongban.hotline.models import Weights

from .conftest import register

pytestmark = pytest.mark.django_db


def handled(hl, handler: str, category, *, contact_after: float, solved: bool | None, satisfaction="satisfied",
            unit=None):
    """One complaint through to callback (or to reply when solved is None), `contact_after` hours in."""
    p, clock = hl["people"], hl["clock"]
    start = clock.at
    c = actions.do_dispatch(p["tz_op"], register(hl), category, unit)
    clock.at = start + datetime.timedelta(hours=contact_after)
    c = actions.do_contact(p[handler], c)
    c = actions.do_reply(p[handler], c, "已处理")
    if solved is not None:
        c = actions.do_callback(p["tz_op"], c, solved=solved, satisfaction=satisfaction)
    clock.at = start + datetime.timedelta(minutes=5)
    return c


def test_rates_composite_and_ranking(hl):
    # 生态环境局: 2 on time, both solved and satisfied → 100 / 100 / 100
    handled(hl, "hbj", hl["noise"], contact_after=2, solved=True)
    handled(hl, "hbj", hl["noise"], contact_after=3, solved=True, satisfaction="basic")
    # 住建委: one late contact, one unsolved and unsatisfied → 50 / 50 / 50
    handled(hl, "zjw", hl["housing"], contact_after=30, solved=True)
    handled(hl, "zjw", hl["housing"], contact_after=1, solved=False, satisfaction="unsatisfied")
    # 北苑街道: replied, no callback yet → no resolution / satisfaction rate, not ranked
    handled(hl, "beiyuan", hl["housing"], contact_after=1, solved=None, unit=hl["units"]["beiyuan"])

    ranking = rates.monthly_rates(2026, 9, region=hl["tz"], at=hl["clock"].at + datetime.timedelta(days=3))
    by = {r.unit.name: r for r in ranking}
    hbj, zjw, street = by["通州区生态环境局"], by["通州区住建委"], by["北苑街道"]
    assert (hbj.response_rate, hbj.resolution_rate, hbj.satisfaction_rate, hbj.composite) == (100, 100, 100, 100)
    assert (zjw.response_rate, zjw.resolution_rate, zjw.satisfaction_rate, zjw.composite) == (50, 50, 50, 50)
    assert (street.response_rate, street.resolution_rate, street.composite, street.rank) == (100, None, None, None)
    assert [r.unit.name for r in ranking] == ["通州区生态环境局", "通州区住建委", "北苑街道"]
    assert (hbj.rank, zjw.rank) == (1, 2)
    # another month, another region: nothing
    assert rates.monthly_rates(2026, 10, region=hl["tz"]) == []
    assert rates.monthly_rates(2026, 9, region=hl["lf"]) == []


def test_weights_change_the_ranking(hl):
    # 生态环境局: always late but solved; 住建委: always on time but unsolved
    handled(hl, "hbj", hl["noise"], contact_after=30, solved=True)
    handled(hl, "zjw", hl["housing"], contact_after=1, solved=False, satisfaction="unsatisfied")
    at = hl["clock"].at + datetime.timedelta(days=3)
    names = [r.unit.name for r in rates.monthly_rates(2026, 9, region=hl["tz"], at=at)]
    assert names == ["通州区生态环境局", "通州区住建委"]  # default 10 / 45 / 45
    Weights.objects.create(response=80, resolution=10, satisfaction=10)
    ranking = rates.monthly_rates(2026, 9, region=hl["tz"], at=at)
    assert [r.unit.name for r in ranking] == ["通州区住建委", "通州区生态环境局"]
    assert ranking[0].composite == 80.0


def test_pending_contact_not_yet_due_is_not_counted(hl):
    p = hl["people"]
    actions.do_dispatch(p["tz_op"], register(hl), hl["noise"])
    at = hl["clock"].at
    assert rates.monthly_rates(2026, 9, at=at + datetime.timedelta(hours=1))[0].response_rate is None
    assert rates.monthly_rates(2026, 9, at=at + datetime.timedelta(hours=25))[0].response_rate == 0


def test_whistle_scores_and_excel(hl):
    p, u, clock = hl["people"], hl["units"], hl["clock"]
    c = actions.do_contact(p["beiyuan"], actions.do_dispatch(p["tz_op"], register(hl), hl["housing"], u["beiyuan"]))
    c = actions.do_whistle(p["beiyuan"], c, [actions.Summons(u["zjw"], "核查", 24),
                                             actions.Summons(u["cgw"], "清理", 24)])
    tasks = {t.unit.name: t for t in c.whistle_tasks.all()}
    # nothing reported and nothing past its deadline yet: no on-time rate, not 0 %
    assert {s.on_time_rate for s in rates.whistle_scores(2026, 9, at=clock.at)} == {None}
    clock.advance(hours=2)
    actions.do_report(p["zjw"], tasks["通州区住建委"], "已核查")
    clock.advance(hours=30)
    actions.do_report(p["cgw"], tasks["通州区城管委"], "已清理")  # late
    actions.do_score(p["beiyuan"], tasks["通州区住建委"], 5)
    actions.do_score(p["beiyuan"], tasks["通州区城管委"], 2)
    scores = {s.unit.name: s for s in rates.whistle_scores(2026, 9, region=hl["tz"])}
    assert (scores["通州区住建委"].on_time_rate, scores["通州区住建委"].mean_score) == (100, 5)
    assert (scores["通州区城管委"].on_time_rate, scores["通州区城管委"].mean_score) == (0, 2)
    with pytest.raises(Conflict) as failure:
        actions.do_score(p["beiyuan"], tasks["通州区住建委"], 1)
    assert failure.value.code == "hotline.already_scored"

    book = load_workbook(io.BytesIO(rates.to_xlsx(2026, 9, rates.monthly_rates(2026, 9), list(scores.values()))))
    assert book.sheetnames == ["三率排名", "吹哨报到"]
    rows = list(book["三率排名"].iter_rows(values_only=True))
    assert rows[1][:4] == ("排名", "承办单位", "类型", "诉求量") and rows[2][1] == "北苑街道"
    assert {r[0] for r in list(book["吹哨报到"].iter_rows(values_only=True))[1:]} == {"通州区住建委", "通州区城管委"}


def test_month_bounds_refuse_nonsense():
    with pytest.raises(ValueError):
        rates.month_bounds(2026, 13)
