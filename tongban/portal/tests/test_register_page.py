"""实名注册 through the pages: phone first, then code and the rest; usable without JavaScript."""

from __future__ import annotations

import re

from tongban.accounts.models import Citizen
from tongban.notifications.models import Notification

PHONE = "13700000003"


def code_for(phone: str) -> str:
    found = re.search(r"验证码 (\d{6})", Notification.objects.filter(phone=phone).latest("id").text)
    assert found is not None
    return found.group(1)


def test_register_in_two_steps_and_land_on_my(client, demo):
    page = client.get("/register/").content.decode()
    assert 'value="send"' in page and 'name="id_number"' not in page  # step 1: the phone only
    response = client.post("/register/", {"action": "send", "phone": PHONE})
    assert response.status_code == 302
    page = client.get("/register/").content.decode()
    assert PHONE in page and 'name="id_number"' in page and 'name="region"' in page
    form = {"action": "register", "code": code_for(PHONE), "name": "赵六", "id_number": "11010519491231002X",
            "region": "131082", "password1": "Tongban-2026-pw", "password2": "Tongban-2026-pw"}
    wrong = "000000" if form["code"] != "000000" else "111111"
    response = client.post("/register/", form | {"code": wrong})
    assert response.status_code == 200 and response.context["form"].has_error("code")
    response = client.post("/register/", form)
    assert response.status_code == 302 and response["Location"] == "/my/"
    citizen = Citizen.objects.get(phone=PHONE)
    assert citizen.region.code == "131082"  # a node alone serves every region of its catalogue
    assert "赵六" in client.get("/my/").content.decode()


def test_mismatched_passwords_and_a_bad_phone_are_shown_on_the_form(client, demo):
    client.post("/register/", {"action": "send", "phone": PHONE})
    response = client.post("/register/", {"action": "register", "code": code_for(PHONE), "name": "赵六",
                                          "id_number": "11010519491231002X", "region": "110112",
                                          "password1": "Tongban-2026-pw", "password2": "other"})
    assert response.context["form"].has_error("password2") and not Citizen.objects.exists()
    response = client.post("/register/", {"action": "send", "phone": "1370000"})
    assert response.context["phone_form"].has_error("phone")


def test_a_federated_node_offers_only_the_regions_it_serves(client, demo, settings, tmp_path):
    from testsupport.verification import write_bundle

    settings.TONGBAN_NODE_ID = "langfang"
    settings.TONGBAN_NODE_KEY_FILE = str(tmp_path / "lf.pem")
    settings.TONGBAN_TRUST_BUNDLE = write_bundle(tmp_path / "trust.json", [
        {"id": "tongzhou", "name": "通州", "key_file": tmp_path / "tz.pem", "regions": ["110112"]},
        {"id": "langfang", "name": "廊坊", "key_file": tmp_path / "lf.pem", "regions": ["131000", "131082"]}])
    client.post("/register/", {"action": "send", "phone": PHONE})
    choices = [code for code, _ in client.get("/register/").context["form"].fields["region"].choices]
    assert choices == ["131000", "131082"]


def test_every_code_request_counts_against_the_address_refused_ones_too(client, demo, time_machine):
    import datetime

    from tongban.accounts.models import PhoneCode
    from tongban.portal.views import CODE_REQUESTS

    time_machine.move_to(datetime.datetime(2026, 10, 12, 9, 0, 1, tzinfo=datetime.UTC), tick=False)
    # probing "已注册 / 尚未注册": a login code for unknown phones is refused, and each refusal counts
    for n in range(CODE_REQUESTS.limit):
        response = client.post("/login/", {"action": "send", "phone": f"137000001{n:02d}"})
        assert "尚未注册" in response.content.decode()
    response = client.post("/login/", {"action": "send", "phone": "13700000199"})
    assert "获取验证码过于频繁" in response.content.decode() and "尚未注册" not in response.content.decode()
    response = client.post("/register/", {"action": "send", "phone": PHONE})
    assert response.status_code == 200 and "获取验证码过于频繁" in response.content.decode()
    assert not PhoneCode.objects.exists()
    # another address is not held up
    response = client.post("/register/", {"action": "send", "phone": PHONE}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302 and PhoneCode.objects.filter(phone=PHONE).exists()
