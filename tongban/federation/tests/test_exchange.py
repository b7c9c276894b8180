"""Signed messages into this node's inbox: applied once, in order; forged, altered, replayed, unknown → refused."""

from __future__ import annotations

import datetime
import json

import pytest

from tongban.audit.models import AuditEntry
from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import Case
from tongban.cases.tests.conftest import application
from tongban.core.errors import BadTransition
from tongban.federation import envelope, keys
from tongban.federation.envelope import Refused
from tongban.federation.inbox import do_receive_message
from tongban.federation.models import InboxMessage, PeerSequence, RefusedMessage
from tongban.federation.outbox import wire_message
from tongban.federation.tests.conftest import take_outbox

D = datetime.date


@pytest.fixture
def forwarded_at_langfang(nodes, people, rsj_item, on_day):  # noqa: F811
    """廊坊 receives and forwards a 通州 case; returns its two outbox rows. The case is then gone from
    this database, as it would be from 通州's before the messages arrive."""
    on_day(D(2026, 11, 2))
    with nodes["as_node"]("langfang"):
        case = do_receive(people["sanhe_window"], application(rsj_item, materials_checked=["申请人居民身份证"]))
        do_transition(people["sanhe_window"], case, "forward")
    rows = take_outbox()
    Case.objects.filter(number=case.number).delete()
    PeerSequence.objects.all().delete()
    return rows


def test_a_forwarded_case_arrives_once_with_a_signed_receipt(nodes, forwarded_at_langfang, from_langfang):
    received, forwarded = forwarded_at_langfang
    assert (received.seq, forwarded.seq, received.recipient) == (1, 2, "tongzhou")
    assert received.case_number.startswith("LF2026")

    first = from_langfang(received)
    receipt = do_receive_message(first)
    case = Case.objects.get(number=received.case_number)
    assert case.state == "submitted"
    assert case.created_by is not None and case.created_by.username == "langfang/sanhe_window"
    with nodes["as_node"]("langfang"):  # the sender checks the receipt with 通州's public key
        assert envelope.check_receipt(receipt, message=first)["status"] == "applied"

    do_receive_message(from_langfang(forwarded))
    case.refresh_from_db()
    assert case.state == "forwarded" and case.version == 2

    audit_count = AuditEntry.objects.count()
    again = do_receive_message(from_langfang(forwarded))  # a duplicate (the first receipt was lost)
    assert again == do_receive_message(from_langfang(forwarded))
    assert InboxMessage.objects.count() == 2 and AuditEntry.objects.count() == audit_count


def test_the_holder_acts_and_the_copy_is_read_only(nodes, forwarded_at_langfang, from_langfang, people):
    received, forwarded = forwarded_at_langfang
    do_receive_message(from_langfang(received))
    case = Case.objects.get(number=received.case_number)
    with pytest.raises(BadTransition, match="只读") as read_only:  # still at the 三河 window
        do_transition(people["tz_rsj"], case, "accept")
    assert read_only.value.code == "case.not_holder"
    do_receive_message(from_langfang(forwarded))
    case.refresh_from_db()
    case = do_transition(people["tz_rsj"], case, "accept")  # now 通州 holds it
    (update,) = take_outbox()
    assert (update.recipient, update.seq, update.body["state"]) == ("langfang", 1, "accepted")

    # 廊坊 no longer holds the case: its message changing it is recorded, not applied
    with nodes["as_node"]("langfang"):
        body = {**forwarded.body, "state": "refused", "version": 9}
        stale = envelope.seal(recipient="tongzhou", message_id="8c5e7b7c-2b1e-4c55-9a59-0d8d5e1c0001", seq=3,
                              case=case.number, kind="case.update", body=body)
    receipt = do_receive_message(stale)
    assert receipt["status"] == "rejected" and "不由节点 langfang 办理" in receipt["reason"]
    case.refresh_from_db()
    assert case.state == "accepted"


def _refused(message, status: int, code: str) -> None:
    before = (Case.objects.count(), InboxMessage.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Refused) as caught:
        do_receive_message(message)
    assert caught.value.status == status and caught.value.code == code
    assert (Case.objects.count(), InboxMessage.objects.count(), AuditEntry.objects.count()) == before


def test_altered_forged_unknown_and_misaddressed_messages_change_nothing(nodes, forwarded_at_langfang,
                                                                         from_langfang):
    received, _ = forwarded_at_langfang
    good = from_langfang(received)

    altered = json.loads(json.dumps(good))
    altered["body"]["applicant_name"] = "李四"
    _refused(altered, 403, "federation.digest_mismatch")

    with nodes["as_node"]("intruder"):  # a key that is not 廊坊's, claiming to be 廊坊
        forged = wire_message(received)
    forged["sender"] = "langfang"
    _refused(forged, 403, "federation.bad_signature")

    unknown = {**good, "sender": "beijing"}
    _refused(unknown, 403, "federation.unknown_sender")

    _refused({**good, "recipient": "langfang"}, 403, "federation.wrong_recipient")
    _refused({"sender": "langfang"}, 400, "federation.malformed")
    assert RefusedMessage.objects.count() == 5
    logged = RefusedMessage.objects.first()
    assert logged is not None
    assert "applicant_id_number" not in logged.excerpt  # no personal data in the log

    do_receive_message(good)  # the genuine one still goes through
    assert Case.objects.filter(number=received.case_number).exists()


def test_replays_and_gaps(nodes, forwarded_at_langfang, from_langfang):
    received, forwarded = forwarded_at_langfang
    with pytest.raises(Refused) as gap:
        do_receive_message(from_langfang(forwarded))  # #2 before #1
    assert gap.value.status == 409 and gap.value.extra == {"error": "gap", "expected": 1}
    assert gap.value.code == "federation.gap"
    assert not Case.objects.exists()

    do_receive_message(from_langfang(received))
    replay = from_langfang(forwarded)
    with nodes["as_node"]("langfang"):  # a validly signed message reusing #1's sequence number
        replay = envelope.seal(recipient="tongzhou", message_id=forwarded.message_id, seq=1,
                               case=forwarded.case_number, kind="case.update", body=forwarded.body)
    _refused(replay, 409, "federation.replay")


def test_removing_a_peer_from_the_bundle_ends_the_trust(nodes, forwarded_at_langfang, from_langfang):
    received, _ = forwarded_at_langfang
    message = from_langfang(received)
    bundle = {"nodes": [e for e in nodes["entries"] if e["id"] != "langfang"]}
    nodes["bundle"].write_text(json.dumps(bundle), encoding="utf-8")
    _refused(message, 403, "federation.unknown_sender")


def test_a_node_alone_writes_no_outbox(settings, people, rsj_item, on_day):  # noqa: F811
    on_day(D(2026, 11, 2))
    assert settings.TONGBAN_NODE_ID == ""
    case = do_receive(people["sanhe_window"], application(rsj_item))
    do_transition(people["sanhe_window"], case, "forward")
    assert take_outbox() == [] and case.number.startswith("TB") and keys.node_id() == "local"


def test_the_inbox_endpoint_answers_json(client, nodes, forwarded_at_langfang, from_langfang):
    received, _ = forwarded_at_langfang
    answer = client.post("/federation/inbox/", from_langfang(received), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["receipt"]["status"] == "applied"
    answer = client.post("/federation/inbox/", b"\xff", content_type="application/json")
    assert answer.status_code == 400
    answer = client.get("/federation/node/")
    assert answer.json()["id"] == "tongzhou" and answer.json()["peers"] == ["langfang"]


def test_case_page_shows_where_the_case_is_and_its_messages(client, nodes, forwarded_at_langfang, from_langfang,
                                                            people):
    received, forwarded = forwarded_at_langfang
    do_receive_message(from_langfang(received))
    client.force_login(people["tz_rsj"])
    html = client.get(f"/cases/{received.case_number}/").content.decode()
    assert "跨节点办理" in html and "办件当前由langfang 节点办理，本节点的副本只读" in html
    assert "<td>收到</td><td>langfang 节点</td><td>1</td>" in html
    assert "/act/" not in html  # no action forms on a copy held elsewhere

    do_receive_message(from_langfang(forwarded))
    html = client.get(f"/cases/{received.case_number}/").content.decode()
    assert "办件当前由本节点办理" in html and f"/cases/{received.case_number}/act/accept/" in html


def test_exchange_status_page_is_for_administrators(client, nodes, forwarded_at_langfang, from_langfang, people):
    do_receive_message(from_langfang(forwarded_at_langfang[0]))
    client.force_login(people["tz_rsj"])
    assert client.get("/federation/").status_code == 403
    client.force_login(people["tz_admin"])
    html = client.get("/federation/").content.decode()
    assert "与各节点的消息收发" in html and "langfang 节点" in html and "<td>1</td>" in html


def test_a_revoked_result_is_announced_to_every_peer(nodes, people, rsj_item, on_day):  # noqa: F811
    from tongban.verification.actions import do_issue_result, do_revoke

    on_day(D(2026, 11, 2))
    case = do_receive(people["tz_window"], application(rsj_item))  # 通州 alone: nothing to send
    case = do_transition(people["tz_rsj"], do_transition(people["tz_rsj"], case, "accept"), "decide",
                         outcome="approved")
    assert take_outbox() == []
    doc = do_revoke(people["tz_admin"], do_issue_result(case), "证照信息有误")
    (notice,) = take_outbox()
    assert (notice.recipient, notice.kind, notice.body["doc_id"]) == ("langfang", "result.revoke", doc.doc_id)
