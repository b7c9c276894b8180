"""企业登记: a resident declares an enterprise they are the legal representative of and becomes its 经办人."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongban.accounts.citizens import do_register, do_register_enterprise, do_send_code
from tongban.accounts.models import Enterprise
from tongban.accounts.tests.conftest import OTHER_ID, SERVED, VALID_ID, registration, sms_code
from tongban.audit.models import AuditEntry
from tongban.core.errors import TongbanError

CREDIT_CODE = "91110112MA01A2B3C8"


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(TongbanError) as caught:
        call(*args, **kwargs)
    return caught.value.code


@pytest.fixture
def second(registered):
    phone = "13800000012"
    do_send_code(phone, "register")
    return do_register(registration(phone=phone, code=sms_code(phone), id_number=OTHER_ID, name="李测试"),
                       regions=SERVED)


def test_a_resident_registers_an_enterprise_and_is_its_agent(registered):
    enterprise = do_register_enterprise(registered.user, credit_code=CREDIT_CODE.lower(), name="通州示例餐饮有限公司",
                                        legal_representative_id=VALID_ID)
    assert enterprise.credit_code == CREDIT_CODE and list(enterprise.agents.all()) == [registered]
    assert AuditEntry.objects.filter(action="accounts.enterprise_register", subject=f"enterprise:{enterprise.pk}"
                                     ).exists()


def test_a_page_post_registers_it_too(client, registered):
    client.force_login(registered.user)
    response = client.post("/register/enterprise/", {"credit_code": CREDIT_CODE, "name": "通州示例餐饮有限公司",
                                                     "legal_representative_id": VALID_ID})
    assert response.status_code == 302 and Enterprise.objects.get().agents.get() == registered


@pytest.mark.parametrize(("fields", "code"), [
    ({"credit_code": CREDIT_CODE[:-1] + "9"}, "identity.credit_code_check_char"),
    ({"credit_code": "91110112MA01A2B3"}, "identity.credit_code_format"),
    ({"legal_representative_id": VALID_ID[:-1] + "1"}, "identity.id_check_char"),
    ({"name": ""}, "accounts.enterprise_name_missing"),
])
def test_bad_enterprise_data_is_refused(client, registered, fields, code):
    data = {"credit_code": CREDIT_CODE, "name": "通州示例餐饮有限公司", "legal_representative_id": VALID_ID} | fields
    assert refused(do_register_enterprise, registered.user, **data) == code
    client.force_login(registered.user)
    response = client.post("/register/enterprise/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Enterprise.objects.exists()


def test_only_the_legal_representative_registers_the_enterprise(client, registered):
    # 王测试 declares someone else (OTHER_ID) as the legal representative: refused, recorded, nothing written
    assert refused(do_register_enterprise, registered.user, credit_code=CREDIT_CODE, name="通州示例餐饮有限公司",
                   legal_representative_id=OTHER_ID) == "accounts.not_legal_representative"
    (entry,) = AuditEntry.objects.filter(action="accounts.refused", data__code="accounts.not_legal_representative")
    assert OTHER_ID not in str(entry.data) and CREDIT_CODE not in str(entry.data)
    client.force_login(registered.user)
    response = client.post("/register/enterprise/", {"credit_code": CREDIT_CODE, "name": "通州示例餐饮有限公司",
                                                     "legal_representative_id": OTHER_ID})
    assert response.status_code == 200 and "legal_representative_id" in response.context["form"].errors
    assert not Enterprise.objects.exists()


def test_an_existing_credit_code_is_refused(registered, second):
    do_register_enterprise(registered.user, credit_code=CREDIT_CODE, name="通州示例餐饮有限公司",
                           legal_representative_id=VALID_ID)
    assert refused(do_register_enterprise, second.user, credit_code=CREDIT_CODE, name="别的名字",
                   legal_representative_id=OTHER_ID) == "accounts.enterprise_taken"
    assert AuditEntry.objects.filter(action="accounts.refused", data__code="accounts.enterprise_taken").exists()
    assert list(Enterprise.objects.get().agents.all()) == [registered]


def test_no_one_is_added_as_an_agent_by_phone(client, registered, second):
    # the feature that bound any resident by their phone, without their consent, is gone
    enterprise = do_register_enterprise(registered.user, credit_code=CREDIT_CODE, name="通州示例餐饮有限公司",
                                        legal_representative_id=VALID_ID)
    client.force_login(registered.user)
    response = client.post(f"/my/enterprises/{enterprise.pk}/agents/", {"phone": second.phone})
    assert response.status_code == 404 and list(enterprise.agents.all()) == [registered]
    assert "添加经办人" not in client.get("/my/").content.decode()


def test_only_residents_register_enterprises(regions):
    user = get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only")
    assert refused(do_register_enterprise, user, credit_code=CREDIT_CODE, name="x",
                   legal_representative_id=VALID_ID) == "accounts.not_citizen"
