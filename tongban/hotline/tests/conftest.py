"""Hotline fixtures: units, categories with limits, the category→unit map and staff of both regions.

The time is fixed with time-machine (`clock` fixture) so workday limits stay inside the loaded calendar
whatever day the suite runs on.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tongban.hotline import actions
from tongban.hotline.models import Category, ClockKind, HotlineRole, Responsibility, TimeLimit, Unit

Role = HotlineRole.Role
START = timezone.make_aware(datetime.datetime(2026, 9, 28, 10, 0))  # a Monday before 国庆


class Clock:
    """The time of the whole process (tongban.core.clock follows it), standing still until moved."""

    def __init__(self, traveller, at: datetime.datetime):
        self._traveller = traveller
        self.at = at

    @property
    def at(self) -> datetime.datetime:
        return self._at

    @at.setter
    def at(self, moment: datetime.datetime) -> None:
        self._at = moment
        self._traveller.move_to(moment, tick=False)

    def advance(self, **delta) -> datetime.datetime:
        self.at = self.at + datetime.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(time_machine) -> Clock:
    return Clock(time_machine, START)


@pytest.fixture
def hl(regions, clock):
    """Units of both regions, two categories, staff. Returns a namespace dict."""
    tz, lf = regions["110112"], regions["131000"]
    units = {
        "beiyuan": Unit.objects.create(region=tz, kind=Unit.Kind.STREET, name="北苑街道"),
        "zhongcang": Unit.objects.create(region=tz, kind=Unit.Kind.STREET, name="中仓街道"),
        "zjw": Unit.objects.create(region=tz, kind=Unit.Kind.DEPARTMENT, name="通州区住建委"),
        "cgw": Unit.objects.create(region=tz, kind=Unit.Kind.DEPARTMENT, name="通州区城管委"),
        "hbj": Unit.objects.create(region=tz, kind=Unit.Kind.DEPARTMENT, name="通州区生态环境局"),
        "yanjiao": Unit.objects.create(region=lf, kind=Unit.Kind.STREET, name="燕郊镇"),
        "lf_zjj": Unit.objects.create(region=lf, kind=Unit.Kind.DEPARTMENT, name="廊坊市住建局"),
    }
    noise = Category.objects.create(name="环境保护")
    housing = Category.objects.create(name="城乡建设")
    for stage, amount, kind in (("dispatch", 2, ClockKind.HOURS), ("contact", 24, ClockKind.HOURS),
                                ("handle", 5, ClockKind.WORKDAYS), ("reply", 7, ClockKind.WORKDAYS)):
        TimeLimit.objects.create(category=noise, stage=stage, amount=amount, clock=kind)
        TimeLimit.objects.create(category=housing, stage=stage, amount=amount, clock=kind)
    Responsibility.objects.create(region=tz, category=noise, unit=units["hbj"])
    Responsibility.objects.create(region=tz, category=housing, unit=units["zjw"])
    Responsibility.objects.create(region=lf, category=housing, unit=units["lf_zjj"])
    User = get_user_model()

    def person(username, role, region, unit=None):
        user = User.objects.create_user(username, password="pw-for-tests-only")
        HotlineRole.objects.create(user=user, role=role, region=region, unit=units[unit] if unit else None)
        return user

    people = {
        "tz_op": person("tz_op", Role.OPERATOR, tz), "lf_op": person("lf_op", Role.OPERATOR, lf),
        "beiyuan": person("beiyuan", Role.HANDLER, tz, "beiyuan"), "zjw": person("zjw", Role.HANDLER, tz, "zjw"),
        "cgw": person("cgw", Role.HANDLER, tz, "cgw"), "hbj": person("hbj", Role.HANDLER, tz, "hbj"),
        "tz_sup": person("tz_sup", Role.SUPERVISOR, tz),
        "citizen": User.objects.create_user("citizen", password="pw-for-tests-only"),
    }
    return {"tz": tz, "lf": lf, "units": units, "noise": noise, "housing": housing, "people": people,
            "clock": clock}


def register(hl, text="幸福里小区东侧工地夜间施工噪音扰民，凌晨两点还在打桩", who="tz_op", **kw):
    intake = actions.Intake(region=kw.pop("region", hl["tz"]), text=text, caller_name="王先生",
                            caller_phone="13812345678", **kw)
    return actions.do_register(hl["people"][who], intake)
