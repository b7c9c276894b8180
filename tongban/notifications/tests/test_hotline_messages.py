"""接诉即办: the caller gets an SMS at 受理 (with the number and the progress page), 答复 and 回访."""

from __future__ import annotations

import pytest

from testsupport.sms import texts_to
from tongban.hotline import actions
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
