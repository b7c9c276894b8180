"""企业登记: a resident declares an enterprise and becomes its 经办人; further 经办人 only by an existing one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongban.accounts.citizens import do_add_agent, do_register, do_register_enterprise, do_send_code
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


def test_an_existing_credit_code_is_refused_and_an_agent_adds_others(registered, second):
    enterprise = do_register_enterprise(registered.user, credit_code=CREDIT_CODE, name="通州示例餐饮有限公司",
                                        legal_representative_id=VALID_ID)
    assert refused(do_register_enterprise, second.user, credit_code=CREDIT_CODE, name="别的名字",
                   legal_representative_id=OTHER_ID) == "accounts.enterprise_taken"
    assert AuditEntry.objects.filter(action="accounts.refused", data__code="accounts.enterprise_taken").exists()
    # not an agent: may not add anyone
    assert refused(do_add_agent, second.user, enterprise.pk, second.phone) == "accounts.not_agent"
    assert refused(do_add_agent, registered.user, enterprise.pk, "13800000099") == "accounts.phone_unknown"
    do_add_agent(registered.user, enterprise.pk, second.phone)
    assert set(enterprise.agents.all()) == {registered, second}


def test_only_residents_register_enterprises(regions):
    user = get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only")
    assert refused(do_register_enterprise, user, credit_code=CREDIT_CODE, name="x",
                   legal_representative_id=VALID_ID) == "accounts.not_citizen"
