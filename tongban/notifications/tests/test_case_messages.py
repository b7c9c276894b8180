"""A case through cases.actions tells its applicant at 收件, 受理, 补正, 办结 (with the verify link), 送达
and 不予受理 — by SMS (≤ 140 characters, 【通办】, no ID number) and, with an account, by 站内信."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from testsupport.sms import texts_to
from testsupport.verification import write_bundle
from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import Case, State
from tongban.cases.ports import case_changed
from tongban.cases.tests.conftest import PHONE, VALID_ID, application, online_application
from tongban.federation.models import OutboxMessage
from tongban.notifications.models import Channel, Notification
from tongban.verification.models import ResultDocument

D = datetime.date
BASE = "http://127.0.0.1:8000"


def mine(texts: list[str]) -> list[str]:
    """The case messages among the texts (the 好差评 invitation, sent at 送达 too, is the ratings app's)."""
    return [t for t in texts if "您的办件" in t and "/rate/" not in t]


def check_shape(texts: list[str]) -> None:
    for text in texts:
        assert text.startswith("【通办】") and len(text) <= 140, text
        assert VALID_ID not in text and "********" not in text  # no ID number, not even masked


def test_every_step_the_applicant_notices_is_one_sms(people, rsj_item, on_day, settings):
    settings.TONGBAN_PUBLIC_URL = BASE
    on_day(D(2026, 9, 28))
    window, approver = people["sanhe_window"], people["tz_rsj"]
    case = do_receive(window, application(rsj_item, materials_checked=["申请人居民身份证"]))
    n = case.number
    case = do_transition(window, case, "forward")  # no message: the applicant need not hear of it
    case = do_transition(approver, case, "accept")
    on_day(D(2026, 9, 29))
    case = do_transition(approver, case, "request_supplement", missing=["解除劳动关系证明", "银行账户信息"])
    on_day(D(2026, 10, 9))
    case = do_transition(window, case, "supplement_received")  # none: back to 已受理 is not a new 受理
    case = do_transition(approver, case, "decide", outcome="approved")
    case = do_transition(window, case, "deliver")

    texts = mine(texts_to(PHONE))
    check_shape(texts)
    doc = ResultDocument.objects.get(case=case)  # signed at the decision, so the SMS can link it
    assert [t.split("）", 1)[1] for t in texts] == [
        f"已收件，正在审核。查询进度： {BASE}/progress/?number={n}",
        f"已受理，法定办理时限{rsj_item.legal_limit_days}个工作日。查询进度： {BASE}/progress/?number={n}",
        # a window case: no upload page for it (404), so the materials go to the centre that received it
        f"需补正，请携带以下材料到三河市政务服务中心办理：解除劳动关系证明、银行账户信息。查询进度： "
        f"{BASE}/progress/?number={n}",
        f"已办结，结果：准予办理。核验结果： {BASE}/verify/{doc.doc_id}/",
        f"办理结果已送达（窗口领取）。查询进度： {BASE}/progress/?number={n}",
    ]
    assert all(t.startswith(f"【通办】您的办件{n}（") for t in texts)
    assert texts_to(PHONE) == texts_to(PHONE)  # nothing is sent twice


def test_a_refusal_says_why_with_personal_numbers_masked(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    do_transition(people["tz_rsj"], case, "refuse", reason=f"申请人{VALID_ID}已于2025年领取，联系人13900001111",
                  basis="《中华人民共和国行政许可法》第三十二条")
    refusal = mine(texts_to(PHONE))[-1]
    assert "不予受理，理由：申请人110105********002X已于2025年领取" in refusal
    assert VALID_ID not in refusal and "13900001111" not in refusal
    assert len(refusal) <= 140


def test_an_applicant_with_an_account_gets_the_same_in_the_inbox(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    citizen = people["citizen"]
    case = do_receive(people["sanhe_window"], application(rsj_item, applicant_phone="010-89551234"))
    Case.objects.filter(pk=case.pk).update(applicant_user=citizen)  # as an online application has
    case = do_transition(people["sanhe_window"], Case.objects.get(pk=case.pk), "forward")
    do_transition(people["tz_rsj"], case, "accept")
    inbox = Notification.objects.filter(channel=Channel.INBOX, user=citizen)
    assert [m.text.split("）", 1)[1][:3] for m in inbox.order_by("id")] == ["已受理"]
    assert inbox.get().link.endswith(f"/progress/?number={case.number}")
    assert not Notification.objects.filter(channel=Channel.SMS).exists()  # a landline gets no SMS


def test_only_the_receiving_node_tells_and_without_the_signed_copy_links_the_progress_page(
        people, rsj_item, on_day, settings, tmp_path):
    on_day(D(2026, 9, 28))
    window, approver = people["sanhe_window"], people["tz_rsj"]
    case = do_receive(window, application(rsj_item))
    case = do_transition(window, case, "forward")
    case = do_transition(approver, case, "accept")
    case = do_transition(approver, case, "decide", outcome="approved")
    Notification.objects.all().delete()
    ResultDocument.objects.all().delete()

    nodes = [{"id": "tongzhou", "name": "通州节点", "key_file": tmp_path / "tz.pem", "regions": ["110112"]},
             {"id": "langfang", "name": "廊坊节点", "key_file": tmp_path / "lf.pem", "regions": ["131000"]}]
    settings.TONGBAN_TRUST_BUNDLE = write_bundle(tmp_path / "bundle.json", nodes)
    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "tongzhou", str(tmp_path / "tz.pem")
    with transaction.atomic():  # the competent node decided it: it signs, sends the copy to 三河's node, tells nobody
        case_changed(case, State.ACCEPTED)
    assert not Notification.objects.exists()
    assert ResultDocument.objects.get().issuer == "tongzhou"
    assert OutboxMessage.objects.filter(kind="result.issued", recipient="langfang", case_number=case.number).exists()

    ResultDocument.objects.all().delete()  # 廊坊 has not received the copy (an older peer): the progress page
    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "langfang", str(tmp_path / "lf.pem")
    with transaction.atomic():  # the decision arrives at 三河's node as a replicated update
        case_changed(case, State.ACCEPTED)
    sms = Notification.objects.get(channel=Channel.SMS)
    assert "已办结，结果：准予办理。查询进度：" in sms.text and sms.link.endswith(f"/progress/?number={case.number}")
    assert not ResultDocument.objects.exists()  # 通州's node signs; 廊坊's copy never does


def test_an_online_applicant_is_sent_to_the_upload_page(people, rsj_item, on_day, settings):
    settings.TONGBAN_PUBLIC_URL = BASE
    on_day(D(2026, 9, 28))
    case = do_receive(people["citizen"], online_application(rsj_item))
    assert (case.mode, case.applicant_user) == ("全程网办", people["citizen"])
    do_transition(people["tz_rsj"], case, "request_supplement", missing=["解除劳动关系证明"])
    link = f"{BASE}/cases/{case.number}/supplement/"
    assert mine(texts_to(PHONE))[-1].endswith(f"需补正材料：解除劳动关系证明。请在此上传： {link}")
    inbox = Notification.objects.filter(channel=Channel.INBOX, user=people["citizen"]).order_by("id").last()
    assert inbox is not None and inbox.link == link


def test_without_an_account_or_a_centre_the_text_names_the_receiving_window(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["citizen"], online_application(rsj_item))
    Case.objects.filter(pk=case.pk).update(applicant_user=None)  # 全程网办 but no account to sign in with
    case = do_transition(people["tz_rsj"], Case.objects.get(pk=case.pk), "request_supplement", missing=["证明"])
    text = mine(texts_to(PHONE))[-1]
    assert "请携带以下材料到收件窗口办理：证明。查询进度：" in text
    assert "/supplement/" not in text and text.endswith(f"/progress/?number={case.number}")


@pytest.mark.parametrize("name_length", [10, 80])
@pytest.mark.parametrize("online", [False, True])
def test_long_item_names_keep_the_link_whole(people, rsj_item, on_day, name_length, online):
    rsj_item.name = "长" * name_length
    rsj_item.save(update_fields=["name"])
    on_day(D(2026, 9, 28))
    case = do_receive(people["citizen"], online_application(rsj_item)) if online else \
        do_receive(people["sanhe_window"], application(rsj_item))
    case = do_transition(people["tz_rsj"], case, "request_supplement",
                         missing=[f"材料{i}（加盖公章的复印件一份）" for i in range(12)])
    text = mine(texts_to(PHONE))[-1]
    check_shape([text])
    if online:
        assert text.endswith(f"/cases/{case.number}/supplement/") and "需补正材料：材料0" in text
    else:  # the list is cut, never the instruction or the link
        assert "需补正，请携带以下材料到三河市政务服务中心办理：材料0" in text
        assert "…。查询进度： " in text and text.endswith(f"/progress/?number={case.number}")
