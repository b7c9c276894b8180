"""The hotline demo: units, categories, limits, staff, a dispatch model and a few dozen complaints over two
months (so the 三率 ranking, the whistle board and the hot-issue board have something to show).

Complaints are back-dated with `core.clock.pinned` while they are built — demo code only.
Idempotent: configuration is upserted; the model and the complaints are made only when there are none.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.typing import User
from tongban.demo.cases import _demo_user
from tongban.demo.hotline_data import CATEGORIES, LIMITS, PLACES, PROBLEMS, UNITS, training_rows
from tongban.hotline import actions, dispatch
from tongban.hotline.models import (
    Category,
    ClockKind,
    Complaint,
    DispatchModel,
    HotlineRole,
    Responsibility,
    Satisfaction,
    TimeLimit,
    Unit,
)

Role = HotlineRole.Role
# username → (role, region, unit or None, display name)
HOTLINE_STAFF = {
    "tz_12345": (Role.OPERATOR, "110112", None, "通州 12345 话务员"),
    "tz_beiyuan": (Role.HANDLER, "110112", "北苑街道", "北苑街道 接诉即办"),
    "tz_zjw": (Role.HANDLER, "110112", "通州区住房和城乡建设委员会", "通州住建委 接诉即办"),
    "tz_cgw": (Role.HANDLER, "110112", "通州区城市管理委员会", "通州城管委 接诉即办"),
    "tz_hbj": (Role.HANDLER, "110112", "通州区生态环境局", "通州生态环境局 接诉即办"),
    "tz_kaohe": (Role.SUPERVISOR, "110112", None, "通州 接诉即办考核"),
    "lf_12345": (Role.OPERATOR, "131000", None, "廊坊 12345 话务员"),
    "yanjiao_street": (Role.HANDLER, "131000", "燕郊镇", "燕郊镇 接诉即办"),
    "lf_zjj": (Role.HANDLER, "131000", "廊坊市住房和城乡建设局", "廊坊住建局 接诉即办"),
}


def do_load_demo_hotline(regions: tuple[str, ...] | None = None, *, complaints: bool = True) -> dict[str, User]:
    """Configuration, staff, model and (when `complaints`) demo complaints of `regions` (default: both)."""
    codes = [c for c in UNITS if regions is None or c in regions]
    with transaction.atomic():
        for code in codes:
            _load_region(Region.objects.get(code=code))
        users: dict[str, User] = {}
        for username, (role, region, unit, name) in HOTLINE_STAFF.items():
            if region not in codes:
                continue
            users[username] = user = _demo_user(username, name)
            HotlineRole.objects.update_or_create(user=user, defaults={
                "role": role, "region": Region.objects.get(code=region),
                "unit": Unit.objects.get(region__code=region, name=unit) if unit else None})
    if not DispatchModel.objects.exists():
        _train_demo_model()
    if complaints and not Complaint.objects.exists():
        for code in codes:
            operator = next(u for n, u in users.items() if HOTLINE_STAFF[n][:2] == (Role.OPERATOR, code))
            _load_complaints(Region.objects.get(code=code), operator, users)
    return users


def _unit_handler(unit: Unit) -> User:
    """Units without a named demo account get one: u<region><s|d><n> (s street, d department, n from 1)."""
    streets, departments = UNITS[unit.region.code]
    kind, names = ("s", streets) if unit.kind == Unit.Kind.STREET else ("d", departments)
    user = _demo_user(f"u{unit.region.code}{kind}{names.index(unit.name) + 1}", f"{unit.name} 接诉即办")
    HotlineRole.objects.update_or_create(user=user, defaults={"role": Role.HANDLER, "region": unit.region,
                                                              "unit": unit})
    return user


def _load_region(region: Region) -> None:
    streets, departments = UNITS[region.code]
    for name in streets:
        Unit.objects.get_or_create(region=region, name=name, defaults={"kind": Unit.Kind.STREET})
    for name in departments:
        Unit.objects.get_or_create(region=region, name=name, defaults={"kind": Unit.Kind.DEPARTMENT})
    for name, (description, index) in CATEGORIES.items():
        category, _ = Category.objects.get_or_create(name=name, defaults={"description": description})
        for stage, hours in LIMITS.items():
            TimeLimit.objects.get_or_create(category=category, stage=stage,
                                            defaults={"amount": hours, "clock": ClockKind.HOURS})
        Responsibility.objects.get_or_create(region=region, category=category, defaults={
            "unit": Unit.objects.get(region=region, name=departments[index])})


def _train_demo_model() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "演示训练语料.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "label"])
            writer.writerows(training_rows())
        dispatch.do_train(path, "text", "label", actor="demo", with_feedback=False)


@contextlib.contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    with clock.pinned(moment):
        yield


def _load_complaints(region: Region, operator: User, users: dict[str, User]) -> None:
    """About forty complaints over this month and the last, in every state; one whistle; one hot issue."""
    rng = random.Random(region.code)
    handlers = {HOTLINE_STAFF[n][2]: u for n, u in users.items() if HOTLINE_STAFF[n][0] == Role.HANDLER
                and HOTLINE_STAFF[n][1] == region.code}
    streets = list(Unit.objects.filter(region=region, kind=Unit.Kind.STREET))
    now = clock.now()
    start = (timezone.localtime(now).replace(day=1, hour=9, minute=0, second=0, microsecond=0)
             - datetime.timedelta(days=25))
    span = max((now - start).total_seconds() - 7 * 86400, 86400)
    for _ in range(40):
        category = rng.choice(list(PROBLEMS))
        text = f"{rng.choice(PLACES)}{rng.choice(PROBLEMS[category])}，希望尽快解决。"
        at = start + datetime.timedelta(seconds=rng.uniform(0, span))
        _walk(region, operator, handlers, streets, rng, text, at, final=rng.choice(
            ["closed"] * 6 + ["replied", "contacted", "dispatched", "registered"]))
    # a hot issue: the same building site, five calls in three days
    for i in range(5):
        at = now - datetime.timedelta(days=3) + datetime.timedelta(hours=11 * i)
        text = f"幸福里小区东侧工地夜间施工噪音扰民，凌晨还在打桩（第{i + 1}次反映）"
        _walk(region, operator, handlers, streets, rng, text, at, final="dispatched")
    _whistle_demo(region, operator, handlers, streets, now)


def _walk(region, operator, handlers, streets, rng, text, at, *, final: str):
    street = rng.choice(streets)
    with _at(at):
        c = actions.do_register(operator, actions.Intake(region=region, text=text, caller_name="市民",
                                                         caller_phone="13800138000", street=street))
    if final == "registered":
        return c
    version, suggestions = dispatch.suggest(text, region)
    category = Category.objects.get(name=suggestions[0].category) if suggestions else Category.objects.first()
    assert category is not None  # _load_region made the categories
    with _at(at + datetime.timedelta(minutes=rng.randint(5, 90))):
        c = actions.do_dispatch(operator, c, category, suggestions=[s.as_dict() for s in suggestions],
                                model_version=version)
    if final == "dispatched":
        return c
    unit = c.unit
    assert unit is not None  # a dispatched complaint has its unit
    handler = handlers.get(unit.name) or _unit_handler(unit)
    # units answer at different speeds and with different success: the ranking has something to rank
    quality = random.Random(unit.name).uniform(0.5, 1.0)  # the same for a unit across runs
    with _at(at + datetime.timedelta(hours=rng.uniform(1, 20 + 30 * (1 - quality)))):
        c = actions.do_contact(handler, c, "已电话联系来电人，约定上门查看")
    if final == "contacted":
        return c
    with _at(at + datetime.timedelta(days=rng.uniform(1, 5))):
        c = actions.do_reply(handler, c, "已现场核实并协调处理，问题已整改。")
    if final == "replied":
        return c
    with _at(at + datetime.timedelta(days=rng.uniform(5, 6))):
        solved = rng.random() < quality
        mood = rng.choice([Satisfaction.SATISFIED, Satisfaction.BASIC] if solved else
                          [Satisfaction.UNSATISFIED, Satisfaction.BASIC])
        return actions.do_callback(operator, c, solved=solved, satisfaction=mood)


def _whistle_demo(region, operator, handlers, streets, now) -> None:
    street_handler = next(((u, h) for u, h in handlers.items() if Unit.objects.filter(
        region=region, name=u, kind=Unit.Kind.STREET).exists()), None)
    if street_handler is None:
        return
    street_name, handler = street_handler
    street = Unit.objects.get(region=region, name=street_name)
    departments = [u for u in Unit.objects.filter(region=region, kind=Unit.Kind.DEPARTMENT)
                   if u.name in handlers][:2]
    at = now - datetime.timedelta(days=1)
    with _at(at):
        c = actions.do_register(operator, actions.Intake(
            region=region, street=street, caller_name="市民", caller_phone="13900139000",
            text="小区外侧人行道被违规搭建的板房占用，板房内堆放杂物有火灾隐患，楼下排水沟也被堵死，下雨就积水。"))
    with _at(at + datetime.timedelta(minutes=20)):
        c = actions.do_dispatch(operator, c, Category.objects.get(name="城乡建设"), street)
    with _at(at + datetime.timedelta(hours=2)):
        c = actions.do_contact(handler, c, "已联系来电人，涉及违建和排水，需多部门处置")
    with _at(at + datetime.timedelta(hours=3)):
        c = actions.do_whistle(handler, c, [actions.Summons(d, f"{d.name}：核查并处置本部门职责内的问题", 24)
                                            for d in departments])
    if departments:
        task = c.whistle_tasks.get(unit=departments[0])
        with _at(at + datetime.timedelta(hours=10)):
            actions.do_report(handlers[departments[0].name], task, "已到现场，违建板房已责令当事人三日内拆除。")
