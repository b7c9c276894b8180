"""接诉即办: the caller gets an SMS at 受理 (with the number and the progress page), 答复 and 回访 — when the
platform may text the number: a call registered by an operator, or a web message by a signed-in resident
at their own verified mobile; never a number typed into the anonymous form or sent over Open311."""

from __future__ import annotations

import pytest

from testsupport.sms import texts_to
from tongban.accounts.models import Citizen
from tongban.core import clock
from tongban.hotline import actions
from tongban.hotline.models import Complaint
from tongban.hotline.tests.conftest import register
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def test_register_reply_and_callback_each_text_the_caller(hl, settings):
    settings.TONGBAN_PUBLIC_URL = "http://127.0.0.1:8000"
    p, u = hl["people"], hl["units"]
    c = register(hl, street=u["beiyuan"])
    link = f"http://127.0.0.1:8000/hotline/progress/?number={c.number}"
    assert texts_to(PHONE) == [f"【通办】您反映的诉求已受理，编号{c.number}，我们将尽快派单办理。查询进度： {link}"]

    c = actions.do_dispatch(p["tz_op"], c, hl["housing"], u["beiyuan"])
    c = actions.do_contact(p["beiyuan"], c, "已联系")
    assert len(texts_to(PHONE)) == 1  # dispatch and contact: nothing to tell yet
    c = actions.do_reply(p["beiyuan"], c, "经核查，工地已停止夜间施工，" + "并承诺按规定时段作业。" * 10)
    c = actions.do_callback(p["tz_op"], c, solved=True, satisfaction="satisfied")
    register_sms, reply, callback = texts_to(PHONE)
    assert reply.startswith(f"【通办】您反映的诉求{c.number}已有答复：经核查，工地已停止夜间施工")
    assert reply.endswith(link)
    assert callback.startswith(f"【通办】感谢您接受诉求{c.number}的回访（满意），本诉求已办结。")
    assert all(len(t) <= 140 for t in (register_sms, reply, callback))


def test_the_same_call_registered_twice_is_one_sms(hl):
    register(hl, intake_key="form-token-1")
    register(hl, intake_key="form-token-1")
    assert len(texts_to(PHONE)) == 1


def test_a_landline_or_no_number_gets_no_sms(hl):
    intake = actions.Intake(region=hl["tz"], text="路灯不亮已经一周了，晚上很危险", caller_phone="01089551234")
    actions.do_register(hl["people"]["tz_op"], intake)
    actions.do_register(hl["people"]["tz_op"], actions.Intake(region=hl["tz"], text="小区门口垃圾堆放多日无人清理"))
    assert not Notification.objects.exists()


def web_report(client, phone=PHONE, text="北苑路口红绿灯坏了三天没人修"):
    return client.post("/hotline/report/", {"region": "110112", "text": text, "caller_phone": phone})


def handle(hl, complaint):
    """Dispatch, contact, reply and call back: the steps that text the caller at 答复 and 回访."""
    p, u = hl["people"], hl["units"]
    c = actions.do_dispatch(p["tz_op"], complaint, hl["housing"], u["beiyuan"])
    c = actions.do_contact(p["beiyuan"], c, "已联系")
    c = actions.do_reply(p["beiyuan"], c, "经核查，已修复。")
    return actions.do_callback(p["tz_op"], c, solved=True, satisfaction="satisfied")


def test_a_number_typed_into_the_anonymous_form_or_sent_over_open311_is_never_texted(client, hl):
    assert "不会收到短信" in web_report(client).content.decode()  # and the done page does not promise one
    response = client.post("/open311/v2/requests.json", {
        "jurisdiction_id": "110112", "service_code": str(hl["noise"].pk), "address_string": "幸福里小区3号楼",
        "description": "幸福里小区东侧工地夜间施工噪音扰民", "phone": PHONE})
    assert response.status_code == 201
    for complaint in Complaint.objects.all():
        handle(hl, complaint)
    assert Complaint.objects.filter(state="closed").count() == 2
    assert not Notification.objects.exists()


def test_a_signed_in_resident_is_texted_at_their_own_verified_mobile_only(client, hl, settings):
    settings.TONGBAN_PUBLIC_URL = "http://127.0.0.1:8000"
    user = hl["people"]["citizen"]
    Citizen.objects.create(user=user, name="赵六", id_number="11010519491231002X", phone=PHONE,
                           region=hl["tz"], phone_verified_at=clock.now(), created_at=clock.now())
    client.force_login(user)
    assert "答复会以短信发送到您的手机号" in web_report(client).content.decode()
    own = Complaint.objects.get()
    assert texts_to(PHONE) == [f"【通办】您反映的诉求已受理，编号{own.number}，我们将尽快派单办理。查询进度： "
                               f"http://127.0.0.1:8000/hotline/progress/?number={own.number}"]
    handle(hl, own)
    assert len(texts_to(PHONE)) == 3  # 受理, 答复, 回访
    web_report(client, phone="13900001111", text="中仓街道路灯不亮已经一周")  # someone else's number
    other = Complaint.objects.exclude(pk=own.pk).get()
    handle(hl, other)
    assert texts_to("13900001111") == [] and len(texts_to(PHONE)) == 3


def test_a_call_registered_at_the_operator_intake_is_texted(client, hl):
    client.force_login(hl["people"]["tz_op"])
    response = client.post("/hotline/", {"text": "幸福里小区晚上工地施工噪音太大", "caller_phone": PHONE,
                                         "intake_key": "call-1"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.channel == "phone"
    assert [t.split("，")[1] for t in texts_to(PHONE)] == [f"编号{complaint.number}"]
