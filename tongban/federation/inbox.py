"""Receiving: verify, then apply a peer's message exactly once, in its sequence order.

`do_receive_message` is the whole of it. Locks: the sender's `PeerSequence` row (SELECT … FOR
UPDATE), so one peer's messages are applied one at a time, and each in one transaction with its
inbox row and audit entry. The receipt is signed after that transaction committed; it is computed
from the inbox row, so a repeated message gets the very same receipt.
"""

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError, transaction
from django.db.models import F

from tongban.audit.actions import do_append
from tongban.cases.models import Case, JointTask
from tongban.cases.ports import case_changed
from tongban.catalog.models import Department, Item, Region
from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.federation import casefiles, casesync, delegations, envelope, handlers, keys, routing
from tongban.federation.casesync import SyncError
from tongban.federation.envelope import Refused
from tongban.federation.models import InboxMessage, PeerSequence, RefusedMessage
from tongban.federation.outbox import enqueue_case

log = logging.getLogger(__name__)


def do_receive_message(raw: object, remote_addr: str = "") -> dict:
    """Verify and apply one message; return the signed receipt. Raises Refused (and logs it) otherwise."""
    try:
        message = envelope.open_envelope(raw)
        return _apply_in_order(message)
    except Refused as exc:
        if exc.extra.get("error") != "gap":  # a gap is routine after a crash: the sender re-sends
            _log_refusal(raw, exc, remote_addr)
        raise


def _apply_in_order(message: dict) -> dict:
    sender, seq = message["sender"], message["seq"]
    with transaction.atomic():
        PeerSequence.objects.get_or_create(peer=sender)
        sequence = PeerSequence.objects.select_for_update().get(peer=sender)
        known = InboxMessage.objects.filter(message_id=message["message_id"]).first()
        if known is not None:
            if (known.sender, known.seq, known.body_digest) != (sender, seq, message["body_digest"]):
                raise Refused("重放攻击或伪造：该消息编号已用于另一条消息", 409, code="federation.message_id_reused")
            return _receipt(known)  # a duplicate: the original receipt, nothing applied again
        if seq <= sequence.last_applied:
            raise Refused(f"重放：序号 {seq} 已由另一条消息使用", 409, code="federation.replay")
        if seq > sequence.last_applied + 1:
            raise Refused(f"序号不连续：收到 {seq}，应为 {sequence.last_applied + 1}", 409,
                          code="federation.gap", error="gap", expected=sequence.last_applied + 1)
        status, reason = InboxMessage.Status.APPLIED, ""
        try:
            with transaction.atomic():  # a savepoint: a refused body changes nothing but is still recorded
                reason = _apply_body(message)
        except TongbanError as exc:  # the handler refused the body (SyncError, DelegationError …)
            status, reason = InboxMessage.Status.REJECTED, str(exc)[:300]
            log.warning("message %s from %s not applied: %s", message["message_id"], sender, reason)
        except (DatabaseError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # a body no handler check foresaw (a number too large for its column, a null where a value must be):
            # recorded as not applied, never a 500 that the sender would retry forever, blocking its queue
            status, reason = InboxMessage.Status.REJECTED, f"内容无法应用（{type(exc).__name__}）"
            log.warning("message %s from %s not applied: %r", message["message_id"], sender, exc)
        row = InboxMessage.objects.create(
            message_id=message["message_id"], sender=sender, seq=seq, kind=message["type"],
            case_number=str(message["case"])[:20], sent_at=str(message["time"])[:40],
            body_digest=message["body_digest"], status=status, reason=reason, received_at=clock.now())
        PeerSequence.objects.filter(peer=sender).update(last_applied=seq)
        do_append(at=clock.now(), actor=f"node:{sender}", action=f"federation.{status}", subject=f"node:{sender}",
                  data={"message_id": str(row.message_id), "seq": seq, "type": row.kind, "case": row.case_number,
                        "reason": reason})
    return _receipt(row)


def _receipt(row: InboxMessage) -> dict:
    return envelope.receipt_for(message_id=str(row.message_id), sender=row.sender, seq=row.seq, status=row.status,
                                reason=row.reason, body_digest=row.body_digest)


def _apply_body(message: dict) -> str:
    """Apply the body with the handler registered for its kind (federation.handlers)."""
    kind, sender, body = message["type"], message["sender"], message["body"]
    registered = handlers.registration(kind)
    if registered is None:
        raise SyncError(f"未知消息类型：{kind}", code="federation.unknown_kind")
    if registered.case_of is not None and registered.case_of(body) != message["case"]:
        raise SyncError("消息头与内容的办件编号不符", code="federation.case_mismatch")
    return registered.handler(sender, body) or ""


def _apply_case_update(sender: str, data: dict) -> str:
    """A peer's copy of a case (case.update): applied if the sender may change it and it is newer."""
    try:
        fields = casesync.resolve(data)
    except KeyError as exc:
        raise SyncError(f"办件内容缺少字段：{exc}", code="federation.case_field_missing") from None
    probe = Case(state=data["state"], resume_state=data.get("resume_state", ""), delivery=data["delivery"],
                 receiving_region=fields["receiving_region"], competent_region=fields["competent_region"])
    involved = {routing.receiving_node(probe), routing.competent_node(probe)}
    if sender not in involved:
        raise SyncError(f"节点 {sender} 与该办件的收件地和审批地都无关，不能更改它", code="federation.not_involved")
    local = Case.objects.select_related("receiving_region__parent", "competent_region__parent").filter(
        number=data["number"]).first()
    if local is not None:
        if routing.holder_of(local) != sender:
            raise SyncError(f"办件 {local.number} 当前不由节点 {sender} 办理，不能由其更改",
                            code="federation.not_holder")
        if data["version"] <= local.version:
            raise SyncError(f"过期的办件版本 {data['version']}（本节点为 {local.version}）",
                            code="federation.stale_version")
    elif routing.receiving_node(probe) != sender:
        raise SyncError("新办件只能由收件地节点发来", code="federation.not_receiving_node")
    if data.get("delegating_region") and routing.node_of(Region.objects.get(code=data["delegating_region"])) \
            == keys.node_id():
        try:  # decided elsewhere under our delegation: check it against our own record (审批交叉授权)
            delegations.check_delegated_case(data)
        except (delegations.DelegationError, Item.DoesNotExist, Department.DoesNotExist, Region.DoesNotExist) as exc:
            raise SyncError(f"委托核验未通过：{exc}", code="federation.delegation_check_failed") from None
    before = local.state if local is not None else ""
    try:
        case, created = casesync.apply_snapshot(sender, data)
    except (KeyError, ValueError, TypeError) as exc:
        raise SyncError(f"办件内容格式错误：{exc}", code="federation.case_malformed") from None
    case_changed(case, before)  # the layers above learn of it as of a change made here (e.g. tell the applicant)
    do_append(at=clock.now(), actor=f"node:{sender}", action="case.replicated", subject=f"case:{case.number}",
              data={"state": case.state, "version": case.version, "created": created})
    return ""


def _apply_joint_task(sender: str, body: dict) -> str:
    """多地联办: the other region's department did its part on its own node; the holder records it."""
    try:
        number, region_code, department = str(body["case"]), str(body["region"]), str(body["department"])
        done_at = datetime.datetime.fromisoformat(str(body["done_at"]))
        note, done_by = str(body["note"]).strip(), str(body["done_by"])
    except (KeyError, ValueError) as exc:
        raise SyncError(f"联办意见格式错误：{exc}", code="federation.joint_task_malformed") from None
    case = Case.objects.select_related("receiving_region__parent", "competent_region__parent").filter(
        number=number).first()
    if case is None or routing.holder_of(case) != keys.node_id():
        raise SyncError(f"本节点当前不办理办件 {number}", code="federation.not_holder")
    region = Region.objects.filter(code=region_code).first()
    if region is None or routing.node_of(region) != sender:
        raise SyncError(f"节点 {sender} 不能代{region_code}的部门办理联办任务", code="federation.not_involved")
    task = JointTask.objects.filter(case=case, department__name=department, department__region=region).first()
    if task is None or not note or not JointTask.objects.filter(pk=task.pk, state=JointTask.State.PENDING).update(
            state=JointTask.State.DONE, note=note, done_by=casesync.remote_user(sender, done_by), done_at=done_at):
        raise SyncError(f"办件 {number} 没有{department}待办的联办任务", code="federation.no_pending_joint_task")
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=clock.now())
    enqueue_case(Case.objects.get(pk=case.pk))  # every copy learns the part is done
    do_append(at=clock.now(), actor=f"node:{sender}/{done_by}", action="case.joint_task_done",
              subject=f"case:{number}", data={"department": department, "note": note})
    return ""


def _log_refusal(raw: object, exc: Refused, remote_addr: str) -> None:
    claimed = raw.get("sender", "") if isinstance(raw, dict) else ""
    message_id = raw.get("message_id", "") if isinstance(raw, dict) else ""
    # the header only: a body holds personal data that must not sit in a log
    excerpt = str({k: v for k, v in raw.items() if k != "body"} if isinstance(raw, dict) else type(raw).__name__)[:2000]
    log.warning("refused message %s from %s (%s): %s", message_id, claimed, remote_addr, exc.reason)
    RefusedMessage.objects.create(at=clock.now(), claimed_sender=str(claimed)[:64], message_id=str(message_id)[:64],
                                  reason=exc.reason[:300], remote_addr=remote_addr[:64], excerpt=excerpt)


def register_own_kinds() -> None:
    """The kinds federation itself sends (FederationConfig.ready); other apps register theirs."""
    handlers.register("case.update", _apply_case_update, case_of=lambda body: body.get("number"))
    handlers.register("case.joint_task", _apply_joint_task)
    handlers.register(casefiles.KIND, casefiles.apply_blob)
    handlers.register(casefiles.SUPPLEMENT, casefiles.apply_supplement, case_of=lambda body: body.get("case"))
    handlers.register("delegation.issue", delegations.apply_issue)
    handlers.register("delegation.revoke", delegations.apply_revoke)
