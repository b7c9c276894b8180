"""A citizen with a 实名账号, window officers of two centres, and a helper that books through the action."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from testsupport.audit import audit_transactional_db  # noqa: F401  (the race test commits audit entries)
from tongban.accounts.models import Citizen, Role, StaffProfile
from tongban.catalog.models import Item, Region, ServiceCentre
from tongban.core import clock

TONGZHOU_CENTRE = "北京城市副中心政务服务中心"
SANHE_CENTRE = "三河市政务服务中心"
MONDAY = datetime.date(2026, 9, 28)  # then 9-29, 9-30 working days, 10-01…10-07 National Day


def make_citizen(username: str, id_number: str, phone: str, region: str = "110112"):
    user = get_user_model().objects.create_user(username, password="pw-for-tests-only")
    Citizen.objects.create(user=user, name="张三" if username == "zhangsan" else "李四", id_number=id_number,
                           phone=phone, region=Region.objects.get(code=region), phone_verified_at=clock.now(),
                           created_at=clock.now())
    return user


@pytest.fixture
def citizen(demo):
    return make_citizen("zhangsan", "11010519491231002X", "13812345678")


@pytest.fixture
def window(demo):
    def officer(username: str, centre: str, region: str):
        user = get_user_model().objects.create_user(username, password="pw-for-tests-only")
        StaffProfile.objects.create(user=user, role=Role.WINDOW, region=Region.objects.get(code=region),
                                    centre=ServiceCentre.objects.get(name=centre))
        return user

    return {"tz": officer("tz_window", TONGZHOU_CENTRE, "110112"),
            "sanhe": officer("sanhe_window", SANHE_CENTRE, "131082")}


@pytest.fixture
def item(demo) -> Item:
    """An item received at the window (异地代收代办), not online."""
    found = Item.objects.filter(via_window=True, mode_online=False).order_by("code").first()
    assert found is not None
    return found


def centre(name: str = TONGZHOU_CENTRE) -> ServiceCentre:
    return ServiceCentre.objects.get(name=name)
