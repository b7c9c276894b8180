"""Staff of both regions and two citizens with real-name accounts on top of the demo catalogue.

Every test using `people` stores material files in its own tmp directory (TONGBAN_BLOB_DIR);
`online_application()` carries one small PDF per required material (an online application needs them).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tongban.accounts.models import Citizen, Role, StaffProfile
from tongban.catalog.models import Department, Item, ItemVersion, Region, ServiceCentre
from tongban.core import clock

VALID_ID = "11010519491231002X"  # GB 11643's own example
PHONE = "13812345678"
OTHER_ID = "110101198503150021"  # a valid check character; not a real person
OTHER_PHONE = "13900001111"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def citizen_account(username: str, name: str, id_number: str, phone: str, region: str = "110112"):
    """A user with a real-name account (实名账号), as registration leaves it."""
    user = get_user_model().objects.create_user(username, password="pw-for-tests-only")
    Citizen.objects.create(user=user, name=name, id_number=id_number, phone=phone,
                           region=Region.objects.get(code=region), phone_verified_at=clock.now(),
                           created_at=clock.now())
    return user


@pytest.fixture
def people(demo, settings, tmp_path):
    User = get_user_model()
    settings.TONGBAN_BLOB_DIR = tmp_path / "blobs"

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
        # 张三, registered in 廊坊 (the applicant of `application()`), and a resident of 通州
        "citizen": citizen_account("citizen", "张三", VALID_ID, PHONE, region="131000"),
        "other_citizen": citizen_account("other_citizen", "李四", OTHER_ID, OTHER_PHONE),
    }


@pytest.fixture
def rsj_item(demo) -> Item:
    """A 人社 item with a 20-day legal limit offering 异地代收代办 and 全程网办."""
    item = (Item.objects.filter(competences__department__name="北京市通州区人力资源和社会保障局",
                                mode_proxy=True, mode_online=True, legal_limit_days__gte=10)
            .order_by("code").first())
    assert item is not None
    return item



def required_files(item: Item) -> list[tuple[str, bytes, str]]:
    """One small PDF per required material of the item's current version."""
    snapshot = ItemVersion.objects.get(item=item, version=item.version).snapshot
    return [(m["name"], PDF, f"{m['name']}.pdf") for m in snapshot["materials"] if m["required"]]


def application(item: Item, **overrides):
    """张三's application (at a window: no files; online, use `online_application`)."""
    from tongban.cases.actions import Application

    fields: dict[str, Any] = dict(item_code=item.code, competent_region="110112", applicant_kind="person",
                                  applicant_name="张三", applicant_id_number=VALID_ID, applicant_phone=PHONE)
    fields.update(overrides)
    return Application(**fields)


def online_application(item: Item, **overrides):
    """张三's complete online application: a small PDF for every required material."""
    return application(item, **{"files": required_files(item), **overrides})
