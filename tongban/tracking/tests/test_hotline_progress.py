"""诉求进度查询 without a login: number + the last four digits of the caller's phone; state, steps with
dates and, once given, the reply; the same one answer for every mismatch and the same rate limits."""

from __future__ import annotations

import re

from tongban.hotline import actions
from tongban.hotline.tests.conftest import clock, hl, register  # noqa: F401  (fixtures)

URL = "/hotline/progress/"


def ask(client, number, digits, address="198.51.100.7"):
    return client.post(URL, {"number": number, "digits": digits}, REMOTE_ADDR=address)


def text_of(response) -> str:
    return re.sub(r"<[^>]+>", "", response.content.decode())


def test_the_caller_follows_the_complaint_to_the_reply(client, hl):  # noqa: F811
    p = hl["people"]
    complaint = actions.do_dispatch(p["tz_op"], register(hl), hl["housing"], hl["units"]["beiyuan"])
    page = text_of(ask(client, complaint.number, "5678"))
    assert "已派单" in page and "北苑街道" in page and "2026-09-28 登记诉求" in page and "派单至承办单位" in page
    assert "答复意见" not in page
    assert "13812345678" not in page and "王先生" not in page and "tz_op" not in page  # nobody's name or phone

    complaint = actions.do_contact(p["beiyuan"], complaint, "已电话联系")
    complaint = actions.do_reply(p["beiyuan"], complaint,
                                 "已协调施工单位夜间停工，违者依法处罚。联系人电话 13900001111")
    page = text_of(ask(client, complaint.number, "5678"))
    assert "已答复待回访" in page and "已协调施工单位夜间停工" in page
    assert "13900001111" not in page  # a number quoted in the reply is masked
    assert "已电话联系" not in page  # notes stay internal


def test_a_wrong_number_or_wrong_digits_get_the_same_answer(client, hl):  # noqa: F811
    complaint = register(hl)
    answers = [ask(client, complaint.number, "0000"), ask(client, "TBRX2026999999", "5678")]
    assert {r.status_code for r in answers} == {404}
    messages = {re.findall(r'role="alert"><p>(.*?)</p>', r.content.decode())[0] for r in answers}
    assert messages == {"未找到匹配的诉求，请核对诉求编号和手机号后四位"}
    assert ask(client, complaint.number, "56").status_code == 422  # not four digits: a form error


def test_failed_tries_are_limited_per_number_and_per_address(client, hl):  # noqa: F811
    complaint = register(hl)
    for n in range(5):
        assert ask(client, complaint.number, f"000{n}", address=f"192.0.2.{n}").status_code == 404
    assert ask(client, complaint.number, "5678", address="192.0.2.50").status_code == 429
    for n in range(10):
        ask(client, f"TBRX20269990{n:02d}", "5678", address="203.0.113.1")
    assert ask(client, "TBRX2026888888", "5678", address="203.0.113.1").status_code == 429
    hl["clock"].advance(hours=2)  # both windows have passed
    assert ask(client, complaint.number, "5678", address="203.0.113.1").status_code == 200


def test_the_number_is_prefilled_from_the_sms_link(client, hl):  # noqa: F811
    complaint = register(hl)
    assert f'value="{complaint.number}"' in client.get(URL, {"number": complaint.number}).content.decode()
