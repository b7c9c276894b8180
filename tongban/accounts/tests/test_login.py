"""办事人登录 (/login/: phone + password or phone + SMS code) and 工作人员登录 (/accounts/login/) kept apart."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import authenticate, get_user_model

from tongban.accounts.citizens import check_password_login, do_login_with_code, do_send_code
from tongban.accounts.forms import STAFF_LOGIN_FAILURES
from tongban.accounts.models import Role, StaffProfile
from tongban.accounts.tests.conftest import PASSWORD, PHONE, sms_code
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.portal.views import LOGIN_FAILURES


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


def test_only_a_phone_logs_in_on_the_residents_login(client, staff, registered):
    # a staff username, or a resident's internal username "c<phone>", even with the right password
    for login, password in (("tz_admin", "pw-for-tests-only"), (f"c{PHONE}", PASSWORD)):
        with pytest.raises(TongbanError) as caught:
            check_password_login(None, login, password)
        assert caught.value.code == "accounts.phone_format"
        response = client.post("/login/", {"action": "password", "phone": login, "password": password})
        assert response.status_code == 200 and logged_in_as(client) is None
        assert "工作人员登录" in response.content.decode()
    # the phone, typed with spaces and hyphens, is normalised
    assert check_password_login(None, "138 0000-0011", PASSWORD).get_username() == f"c{PHONE}"


def invalid_login(response) -> str:
    assert response.status_code == 200
    return response.context["form"].errors.as_data()["__all__"][0].code


def test_residents_are_refused_on_the_staff_login_like_a_wrong_password(client, registered):
    assert authenticate(None, username=f"c{PHONE}", password=PASSWORD) is None
    right = client.post("/accounts/login/", {"username": f"c{PHONE}", "password": PASSWORD})
    assert invalid_login(right) == "invalid_login" and logged_in_as(client) is None
    wrong = client.post("/accounts/login/", {"username": f"c{PHONE}", "password": "wrong-password"})
    assert invalid_login(wrong) == "invalid_login"
    assert right.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert "办事人（实名）账号" not in right.content.decode()
    assert "/login/" in right.content.decode()  # the page's own pointer to the residents' login


def test_staff_and_profile_less_accounts_still_use_the_staff_login(client, staff):
    get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only")
    for username in ("tz_admin", "zhangsan"):
        response = client.post("/accounts/login/", {"username": username, "password": "pw-for-tests-only"})
        assert response.status_code == 302 and logged_in_as(client) == username
        assert client.get("/cases/").status_code != 302  # the session holds (StaffBackend.get_user)
        client.logout()


def test_the_staff_form_gets_no_help_from_the_phone_backend(client, registered):
    # a phone typed as username does not reach PhoneBackend (it answers only phone=)
    response = client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 200 and logged_in_as(client) is None


def test_failed_staff_logins_are_limited_per_username_and_per_address(client, staff, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 12, 9, 0, 1, tzinfo=datetime.UTC), tick=False)
    for _ in range(STAFF_LOGIN_FAILURES.limit):
        response = client.post("/accounts/login/", {"username": "tz_admin", "password": "wrong-password"},
                               REMOTE_ADDR=f"10.0.0.{_}")
        assert invalid_login(response) == "invalid_login"
    # per username: from yet another address, even the right password is refused now
    response = client.post("/accounts/login/", {"username": " TZ_admin", "password": "pw-for-tests-only"},
                           REMOTE_ADDR="10.0.1.1")
    assert invalid_login(response) == "ratelimit.exceeded" and logged_in_as(client) is None
    # per address: one address guessing many usernames
    for n in range(STAFF_LOGIN_FAILURES.limit):
        client.post("/accounts/login/", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.0.2.1")
    get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only")
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": "pw-for-tests-only"},
                           REMOTE_ADDR="10.0.2.1")
    assert invalid_login(response) == "ratelimit.exceeded" and logged_in_as(client) is None
    # the window passes: the staff member logs in again
    time_machine.move_to(datetime.datetime(2026, 10, 12, 9, 10, 1, tzinfo=datetime.UTC), tick=False)
    response = client.post("/accounts/login/", {"username": "tz_admin", "password": "pw-for-tests-only"},
                           REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 302 and logged_in_as(client) == "tz_admin"


def test_failed_password_logins_on_the_residents_login_count_per_normalised_phone(client, registered,
                                                                                 time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 12, 9, 0, 1, tzinfo=datetime.UTC), tick=False)
    spellings = ["138 0000 0011", "138-0000-0011", PHONE, " 13800000011 "]
    for n in range(LOGIN_FAILURES.limit):
        response = client.post("/login/", {"action": "password", "phone": spellings[n % len(spellings)],
                                           "password": "wrong-password"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert "手机号或密码不正确" in response.content.decode()
    # one counter for every spelling: the right password is refused now, from a fresh address too
    response = client.post("/login/", {"action": "password", "phone": PHONE, "password": PASSWORD},
                           REMOTE_ADDR="10.0.1.1")
    assert "登录失败次数过多" in response.content.decode() and logged_in_as(client) is None
