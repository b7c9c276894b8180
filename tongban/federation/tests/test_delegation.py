"""审批交叉授权: 通州 delegates a 通州 item to 廊坊人社; 廊坊 accepts and decides it; 通州 checks the delegation."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tongban.cases.actions import can_view, do_receive, do_transition
from tongban.cases.models import Case
from tongban.cases.tests.conftest import application
from tongban.catalog.models import Department
from tongban.core.errors import Invalid, NotAllowed
from tongban.federation import envelope, keys
from tongban.federation.delegations import DelegationError, do_issue_delegation, do_revoke_delegation
from tongban.federation.inbox import do_receive_message
from tongban.federation.models import Delegation, InboxMessage
from tongban.federation.outbox import wire_message
from tongban.federation.tests.conftest import take_outbox
from tongban.verification.models import ResultDocument

D = datetime.date
LF_RSJ = "廊坊市人力资源和社会保障局"


def _delegate(people, item, **overrides) -> Delegation:
    fields: dict[str, Any] = dict(department=Department.objects.get(name=LF_RSJ), item_codes=[item.code],
                                  valid_from=D(2026, 10, 1), valid_until=D(2026, 12, 31))
    fields.update(overrides)
    return do_issue_delegation(people["tz_admin"], **fields)


def test_the_delegate_department_decides_and_a_revocation_stops_it(people, rsj_item, on_day):  # noqa: F811
    on_day(D(2026, 11, 2))
    delegation = _delegate(people, rsj_item)
    case = do_receive(people["sanhe_window"], application(rsj_item, delegation=delegation.delegation_id))
    assert case.delegating_region is not None
    assert (case.competent_department.name, case.competent_region.code, case.delegating_region.code) == \
        (LF_RSJ, "131000", "110112")
    assert can_view(people["tz_admin"], case) and can_view(people["lf_rsj"], case)  # 通州 sees what it delegated
    with pytest.raises(NotAllowed):
        do_transition(people["tz_rsj"], case, "accept")  # 通州 handed this item to 廊坊人社
    case = do_transition(people["lf_rsj"], case, "accept")
    do_revoke_delegation(people["tz_admin"], delegation, reason="委托事项调整")
    with pytest.raises(Invalid, match="不能依委托作出决定：审批委托已于 .* 撤销") as revoked:
        do_transition(people["lf_rsj"], case, "decide", outcome="approved")
    assert revoked.value.code == "case.delegation_invalid"
    assert Case.objects.get(pk=case.pk).state == "accepted"
    with pytest.raises(Invalid, match="撤销") as refused:
        do_receive(people["sanhe_window"], application(rsj_item, delegation=delegation.delegation_id))
    assert refused.value.code == "case.delegation_invalid"


def test_who_may_delegate_what(people, rsj_item, on_day):  # noqa: F811
    on_day(D(2026, 11, 2))
    with pytest.raises(DelegationError) as not_admin:
        do_issue_delegation(people["tz_rsj"], department=Department.objects.get(name=LF_RSJ),
                            item_codes=[rsj_item.code], valid_from=D(2026, 10, 1), valid_until=D(2026, 12, 31))
    assert not_admin.value.code == "delegation.not_admin"
    with pytest.raises(DelegationError) as same_region:
        _delegate(people, rsj_item, department=Department.objects.get(name="北京市通州区市场监督管理局"))
    assert same_region.value.code == "delegation.same_region"
    with pytest.raises(DelegationError) as unknown:
        _delegate(people, rsj_item, item_codes=[rsj_item.code, "NOPE-1"])
    assert unknown.value.code == "delegation.unknown_items" and "NOPE-1" in unknown.value.message
    with pytest.raises(DelegationError) as not_theirs:
        do_revoke_delegation(people["lf_admin"], _delegate(people, rsj_item), reason="x")
    assert not_theirs.value.code == "delegation.not_admin"
    expired = _delegate(people, rsj_item, valid_from=D(2026, 9, 1), valid_until=D(2026, 9, 30))
    with pytest.raises(Invalid, match="有效期") as expired_error:
        do_receive(people["sanhe_window"], application(rsj_item, delegation=expired.delegation_id))
    with pytest.raises(Invalid, match="没有编号为 nope") as unknown_error:
        do_receive(people["sanhe_window"], application(rsj_item, delegation="nope"))
    assert expired_error.value.code == unknown_error.value.code == "case.delegation_invalid"
    assert Case.objects.count() == 0


def test_a_delegation_travels_signed_and_a_forged_one_is_not_kept(nodes, people, rsj_item, on_day):  # noqa: F811
    on_day(D(2026, 11, 2))
    _delegate(people, rsj_item)  # this node is 通州
    (message,) = take_outbox()
    assert (message.recipient, message.kind) == ("langfang", "delegation.issue")
    body = message.body
    assert body["payload"]["items"] == [rsj_item.code]
    Delegation.objects.all().delete()  # from here on, this database stands in for 廊坊's

    def arrive(sender: str, seq: int, content: dict) -> dict:
        with nodes["as_node"](sender, "TZ"):
            sealed = envelope.seal(recipient="langfang", message_id=uuid.uuid4(), seq=seq, case="",
                                   kind="delegation.issue", body=content)
        with nodes["as_node"]("langfang"):
            return do_receive_message(sealed)

    stretched = {**body, "payload": {**body["payload"], "valid_until": "2099-12-31"}}
    assert arrive("tongzhou", 1, stretched)["status"] == "rejected"  # the payload no longer matches its signature
    assert arrive("tongzhou", 2, body)["status"] == "applied"
    kept = Delegation.objects.get()
    assert (kept.issuer, kept.department.name, kept.valid_until) == ("tongzhou", LF_RSJ, D(2026, 12, 31))

    # 廊坊 cannot issue a delegation in 通州's name, even correctly signed by itself
    Delegation.objects.all().delete()
    with nodes["as_node"]("langfang"):
        own = {**body, "signature": keys.sign(keys.canonical(body["payload"]))}
    receipt = _from_langfang_to_tongzhou(nodes, own)
    assert receipt["status"] == "rejected" and "不能以北京城市副中心（通州区）的名义" in receipt["reason"]
    assert not Delegation.objects.exists()
    assert InboxMessage.objects.filter(status="rejected").count() == 2


def _from_langfang_to_tongzhou(nodes, content: dict) -> dict:
    with nodes["as_node"]("langfang"):
        sealed = envelope.seal(recipient="tongzhou", message_id=uuid.uuid4(), seq=1, case="",
                               kind="delegation.issue", body=content)
    return do_receive_message(sealed)


def test_the_delegating_node_checks_decisions_made_under_its_delegation(nodes, people, rsj_item, on_day):  # noqa: F811
    on_day(D(2026, 11, 2))
    delegation = _delegate(people, rsj_item)
    take_outbox()
    with nodes["as_node"]("langfang"):  # at 廊坊: received, accepted and decided by 廊坊人社
        case = do_receive(people["sanhe_window"], application(rsj_item, delegation=delegation.delegation_id))
        case = do_transition(people["lf_rsj"], case, "accept")
        do_transition(people["lf_rsj"], case, "decide", outcome="approved")
        rows = take_outbox()
        sealed = [wire_message(row) for row in rows]
    assert [r.recipient for r in rows] == ["tongzhou"] * 3  # 通州 keeps a copy: it delegated
    ResultDocument.objects.all().delete()  # 廊坊 signed its decision; 通州's database has none of it
    Case.objects.all().delete()

    # 通州 revoked the delegation before the decision date: the decision is recorded, not taken in
    Delegation.objects.filter(pk=delegation.pk).update(
        revoked_at=timezone.make_aware(datetime.datetime(2026, 11, 1, 9)), revocation_reason="调整")
    receipts = [do_receive_message(m) for m in sealed]
    assert [r["status"] for r in receipts] == ["applied", "rejected", "rejected"]
    assert "委托核验未通过" in receipts[1]["reason"]
    assert Case.objects.get().state == "submitted"


def test_delegation_page_issues_and_revokes_for_administrators(client, people, rsj_item):  # noqa: F811
    client.force_login(people["tz_rsj"])
    assert "签发委托" not in client.get("/federation/delegations/").content.decode()  # approvers only read
    client.force_login(people["tz_admin"])
    answer = client.post("/federation/delegations/", {
        "department": Department.objects.get(name=LF_RSJ).pk, "items": [rsj_item.code],
        "valid_from": "2026-11-01", "valid_until": "2027-10-31"}, follow=True)
    html = answer.content.decode()
    assert "已签发审批委托" in html and "廊坊市人力资源和社会保障局" in html and "有效" in html
    delegation = Delegation.objects.get()
    client.force_login(people["lf_admin"])  # 廊坊 cannot revoke 通州's delegation
    client.post(f"/federation/delegations/{delegation.pk}/revoke/", {"reason": "x"})
    assert Delegation.objects.get().revoked_at is None
    client.force_login(people["tz_admin"])
    client.post(f"/federation/delegations/{delegation.pk}/revoke/", {"reason": "事项调整"})
    assert Delegation.objects.get().revocation_reason == "事项调整"
