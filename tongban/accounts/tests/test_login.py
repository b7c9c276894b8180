"""办事人登录 (/login/: phone + password or phone + SMS code) and 工作人员登录 (/accounts/login/) kept apart."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from tongban.accounts.citizens import check_password_login, do_login_with_code, do_send_code
from tongban.accounts.models import Role, StaffProfile
from tongban.accounts.tests.conftest import PASSWORD, PHONE, sms_code
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.errors import TongbanError


def logged_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).get_username() if user_id else None


@pytest.fixture
def staff(regions):
    user = get_user_model().objects.create_user("tz_admin", password="pw-for-tests-only")
    StaffProfile.objects.create(user=user, role=Role.ADMIN, region=Region.objects.get(code="110112"))
    return user


def test_a_resident_logs_in_with_phone_and_password(client, registered):
    response = client.post("/login/", {"action": "password", "phone": PHONE, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert logged_in_as(client) == f"c{PHONE}"


def test_a_wrong_password_is_refused(client, registered):
    response = client.post("/login/", {"action": "password", "phone": PHONE, "password": "wrong-password"})
    assert response.status_code == 200 and logged_in_as(client) is None
    with pytest.raises(TongbanError) as caught:
        check_password_login(None, PHONE, "wrong-password")
    assert caught.value.code == "accounts.bad_credentials"


def test_a_resident_logs_in_with_an_sms_code(client, registered, time_machine):
    time_machine.move_to(clock.now() + datetime.timedelta(seconds=61))  # the registration code's throttle
    response = client.post("/login/", {"action": "send", "phone": PHONE})
    assert response.status_code == 302 and response["Location"] == "/login/?mode=code"
    assert client.get("/login/?mode=code").status_code == 200
    response = client.post("/login/", {"action": "code", "code": sms_code(PHONE), "next": "/my/messages/"})
    assert response.status_code == 302 and response["Location"] == "/my/messages/"
    assert logged_in_as(client) == f"c{PHONE}"


def test_a_wrong_login_code_is_refused_and_an_unknown_phone_gets_no_code(registered, time_machine):
    time_machine.move_to(clock.now() + datetime.timedelta(seconds=61))
    do_send_code(PHONE, "login")
    wrong = "000000" if sms_code(PHONE) != "000000" else "111111"
    with pytest.raises(TongbanError) as caught:
        do_login_with_code(PHONE, wrong)
    assert caught.value.code == "accounts.code_wrong"
    assert do_login_with_code(PHONE, sms_code(PHONE)).get_username() == f"c{PHONE}"
    with pytest.raises(TongbanError) as unknown:
        do_send_code("13800000099", "login")
    assert unknown.value.code == "accounts.phone_unknown"


def test_staff_are_refused_on_the_residents_login(client, staff):
    with pytest.raises(TongbanError) as caught:
        check_password_login(None, "tz_admin", "pw-for-tests-only")
    assert caught.value.code == "accounts.use_staff_login"
    response = client.post("/login/", {"action": "password", "phone": "tz_admin", "password": "pw-for-tests-only"})
    assert response.status_code == 200 and logged_in_as(client) is None
    assert "工作人员登录" in response.content.decode()


def test_residents_are_refused_on_the_staff_login(client, registered):
    response = client.post("/accounts/login/", {"username": f"c{PHONE}", "password": PASSWORD})
    assert response.status_code == 200 and logged_in_as(client) is None
    assert response.context["form"].errors.as_data()["__all__"][0].code == "citizen_account"
    assert "/login/" in response.content.decode()


def test_staff_and_profile_less_accounts_still_use_the_staff_login(client, staff):
    get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only")
    for username in ("tz_admin", "zhangsan"):
        response = client.post("/accounts/login/", {"username": username, "password": "pw-for-tests-only"})
        assert response.status_code == 302 and logged_in_as(client) == username
        client.logout()


def test_the_staff_form_gets_no_help_from_the_phone_backend(client, registered):
    # a phone typed as username does not reach PhoneBackend (it answers only phone=)
    response = client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 200 and logged_in_as(client) is None
