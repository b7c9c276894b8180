"""Rules the admin enforces through model validation (the same ones the importer applies)."""

import pytest
from django.core.exceptions import ValidationError

from tongban.catalog.models import Competence, Department, Item, Material
from tongban.catalog.tests.helpers import item, load


@pytest.fixture
def stored(regions):
    load(item("M1", "失业登记"))
    return Item.objects.get(code="M1")


def test_promised_limit_cannot_exceed_legal(stored):
    stored.promised_limit_days = 30
    with pytest.raises(ValidationError, match="承诺时限不能超过法定时限"):
        stored.full_clean()


def test_an_item_needs_a_channel_and_a_url_safe_code(stored):
    stored.via_window = False
    with pytest.raises(ValidationError, match="至少选择一个办理渠道"):
        stored.full_clean()
    stored.via_window, stored.code = True, "A/B"
    with pytest.raises(ValidationError, match="事项编码只能由字母、数字"):
        stored.full_clean()


def test_competent_department_must_belong_to_the_region(stored, regions):
    competence = Competence(item=stored, region=regions["110112"],
                            department=Department.objects.get(name="廊坊市市场监督管理局"))
    with pytest.raises(ValidationError, match="主管部门必须属于所选区域"):
        competence.clean()


def test_material_rules(stored):
    material = Material(item=stored, name="身份证|复印件", copies=0)
    with pytest.raises(ValidationError) as failure:
        material.full_clean()
    assert set(failure.value.message_dict) == {"name", "copies"}
