"""Staff of both regions on top of the demo catalogue, and a controllable 'today'."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tongban.accounts.models import Role, StaffProfile
from tongban.catalog.models import Department, Item, Region, ServiceCentre

VALID_ID = "11010519491231002X"  # GB 11643's own example
PHONE = "13812345678"


@pytest.fixture
def people(demo):
    User = get_user_model()

    def staff(username: str, role: str, region: str, centre: str | None = None, department: str | None = None):
        user = User.objects.create_user(username, password="pw-for-tests-only")
        StaffProfile.objects.create(
            user=user, role=role, region=Region.objects.get(code=region),
            centre=ServiceCentre.objects.get(name=centre) if centre else None,
            department=Department.objects.get(region__code=region, name=department) if department else None)
        return user

    return {
        # a window officer in Sanhe (Langfang) receives Tongzhou items for Langfang residents
        "sanhe_window": staff("sanhe_window", Role.WINDOW, "131082", centre="三河市政务服务中心"),
        "tz_window": staff("tz_window", Role.WINDOW, "110112", centre="北京城市副中心政务服务中心"),
        "tz_rsj": staff("tz_rsj", Role.APPROVER, "110112", department="北京市通州区人力资源和社会保障局"),
        "lf_rsj": staff("lf_rsj", Role.APPROVER, "131000", department="廊坊市人力资源和社会保障局"),
        "tz_admin": staff("tz_admin", Role.ADMIN, "110112"),
        "lf_admin": staff("lf_admin", Role.ADMIN, "131000"),
        "citizen": User.objects.create_user("citizen", password="pw-for-tests-only"),
        "other_citizen": User.objects.create_user("other_citizen", password="pw-for-tests-only"),
    }


@pytest.fixture
def rsj_item(demo) -> Item:
    """A 人社 item with a 20-day legal limit offering 异地代收代办 and 全程网办."""
    item = (Item.objects.filter(competences__department__name="北京市通州区人力资源和社会保障局",
                                mode_proxy=True, mode_online=True, legal_limit_days__gte=10)
            .order_by("code").first())
    assert item is not None
    return item



def application(item: Item, **overrides):
    from tongban.cases.actions import Application

    fields: dict[str, Any] = dict(item_code=item.code, competent_region="110112", applicant_kind="person",
                                  applicant_name="张三", applicant_id_number=VALID_ID, applicant_phone=PHONE)
    fields.update(overrides)
    return Application(**fields)
