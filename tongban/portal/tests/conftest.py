"""The resident's pages: the demo catalogue, a window that receives cases, and two residents."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from testsupport.audit import audit_transactional_db  # noqa: F401
from testsupport.verification import isolated_node  # noqa: F401

WANG_ID = "110112199001010014"
LI_ID = "131082199203150048"


@pytest.fixture(autouse=True)
def _own_node(isolated_node):  # noqa: F811
    return isolated_node



@pytest.fixture
def residents(demo):
    """王小明 (通州, agent of 通州示例餐饮有限公司) and 李红 (三河): the demo residents, plus a window officer."""
    from tongban.accounts.models import Role, StaffProfile
    from tongban.catalog.models import Region, ServiceCentre
    from tongban.demo.citizens import do_load_demo_citizens

    wang, li = do_load_demo_citizens()
    window = get_user_model().objects.create_user("tz_window", password="pw-for-tests-only")
    StaffProfile.objects.create(user=window, role=Role.WINDOW, region=Region.objects.get(code="110112"),
                                centre=ServiceCentre.objects.get(name="北京城市副中心政务服务中心"))
    return {"wang": wang, "li": li, "window": window}


@pytest.fixture
def receive(residents):
    """receive(**applicant fields) → a case received at the 通州 window for a 通州 人社 item."""
    from tongban.cases.actions import Application, do_receive
    from tongban.catalog.models import Item

    item = (Item.objects.filter(competences__department__name="北京市通州区人力资源和社会保障局", mode_proxy=True,
                                legal_limit_days__gte=10).order_by("code").first())
    assert item is not None

    def make(**applicant):
        fields: dict[str, Any] = dict(item_code=item.code, competent_region="110112", applicant_kind="person",
                      applicant_name="王小明", applicant_id_number=WANG_ID, applicant_phone="13800000001",
                      materials_checked=[m.name for m in item.materials.all()])
        fields.update(applicant)
        return do_receive(residents["window"], Application(**fields))

    return make
