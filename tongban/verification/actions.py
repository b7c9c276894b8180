"""审批互信: issue signed result documents, revoke them, verify a document file.

- `do_issue_result(case)`   one signed document per decided case (get-or-create)
- `do_revoke(user, doc, reason)`   an administrator of the competent region revokes it
- `verify_document(data)`   structure → trusted issuer → signature over canonical(payload) → revocation

Which document a decided case gets: an approval (准予办理) is the result itself, an 电子证照
(`Kind.LICENCE`); a denial (不予办理) is a signed 办结通知 (`Kind.COMPLETION`) — the decision is a
result the applicant may have to show too (e.g. to 行政复议). One per case and kind.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import profile_of
from tongban.audit.actions import do_append
from tongban.audit.masking import mask_text
from tongban.cases import actions as case_actions
from tongban.cases.models import Case, Outcome
from tongban.core import clock
from tongban.core.errors import Invalid, NotAllowed
from tongban.core.typing import Actor
from tongban.federation import keys, routing, trust
from tongban.federation.outbox import enqueue
from tongban.verification.models import Kind, ResultDocument, RevocationNotice
from tongban.verification.payload import PAYLOAD_FIELDS, build_payload, envelope, envelope_problem, fingerprint


class ResultError(Invalid):
    """The document cannot be issued or revoked; the message says why, in Chinese, the code for programs."""

    code = "result.invalid"


class NotIssuedHere(ResultError):
    """The case's result is signed by another node: the one serving its competent region."""

    code = "result.not_issued_here"


# ---- issue ---------------------------------------------------------------------------------------

def kind_for(case: Case) -> str:
    return Kind.LICENCE if case.outcome == Outcome.APPROVED else Kind.COMPLETION


def issuing_node(case: Case) -> str:
    """The node that signs a case's result: the one serving the competent region (where it was decided).

    With federation a case also lives on the receiving node; that copy must not sign in its own name.
    """
    return routing.node_of(case.competent_region)


def do_issue_result(case: Case) -> ResultDocument:
    """The signed result document of a decided case, created on first call (idempotent).

    Called lazily (the completion notice, the file download) and, later, on the decision itself;
    safe inside the caller's transaction. Two callers at once: the unique (case, kind) constraint
    lets one insert win; the other's savepoint rolls back and it returns the winner's row. Locks: the
    audit head (do_append), only when a document is created.
    """
    if not (case.decided_on and case.outcome):
        raise ResultError(f"办件 {case.number} 尚未办结，不能签发结果文书。", code="result.not_decided")
    kind = kind_for(case)
    existing = ResultDocument.objects.filter(case=case, kind=kind).first()
    if existing is not None:
        return existing
    issuer = keys.node_id()
    if issuing_node(case) != issuer:
        raise NotIssuedHere(f"办件 {case.number} 的结果文书由审批地区的节点（{issuer_name(issuing_node(case))}）签发，"
                            "本节点不能签发。", code="result.not_issued_here")
    doc_id = f"{issuer}:{uuid.uuid4().hex}"
    issued_at = clock.now().replace(microsecond=0)
    payload = build_payload(case, doc_id=doc_id, issuer=issuer, kind=kind, kind_label=Kind(kind).label,
                            issued_at=issued_at)
    signature = keys.sign(keys.canonical(payload))
    try:
        with transaction.atomic():
            doc = ResultDocument.objects.create(doc_id=doc_id, issuer=issuer, case=case, kind=kind, payload=payload,
                                                signature=signature, issued_at=issued_at)
            do_append(at=issued_at, actor=f"node:{issuer}", action="result.issue", subject=f"case:{case.number}",
                      data={"doc_id": doc_id, "kind": kind, "digest": keys.digest(payload)})
    except IntegrityError:
        return ResultDocument.objects.get(case=case, kind=kind)
    return doc


def issuer_name(node_id: str) -> str:
    """The node's name from the trust bundle; for a node without one (running alone) 通办节点 "<id>"."""
    name = trust.node_name(node_id)
    return f"通办节点“{node_id}”" if name == node_id else name


def as_file(doc: ResultDocument) -> dict:
    """The portable signed file of a document issued here (a copy: changing it leaves `doc` alone)."""
    return envelope(doc.issuer, copy.deepcopy(doc.payload), doc.signature)


# ---- revoke --------------------------------------------------------------------------------------

def can_revoke(user: Actor, doc: ResultDocument) -> bool:
    """An administrator of the region whose department decided the case (the issuing authority)."""
    return case_actions.is_admin_of(profile_of(user), doc.case.competent_region)


def do_revoke(user: Actor, doc: ResultDocument, reason: str) -> ResultDocument:
    """Revoke (吊销) a document issued here. Compare-and-set on `revoked_at IS NULL`; audited.

    Locks: the document row (the UPDATE) and the audit head, in one transaction.
    """
    if not can_revoke(user, doc):
        raise NotAllowed(f"您无权吊销文书 {doc.doc_id}：只有审批地区的管理员可以吊销。",
                         code="result.revoke_not_allowed")
    reason = mask_text(" ".join((reason or "").split()))  # shown publicly: no 身份证号 / phone in it
    if not reason:
        raise ResultError("请填写吊销原因。", code="result.reason_required")
    if len(reason) > 200:
        raise ResultError("吊销原因最多 200 个字。", code="result.reason_too_long")
    at = clock.now()
    with transaction.atomic():
        if not ResultDocument.objects.filter(pk=doc.pk, revoked_at__isnull=True).update(
                revoked_at=at, revocation_reason=reason, revoked_by=user):
            raise ResultError(f"文书 {doc.doc_id} 已被吊销。", code="result.already_revoked")
        do_append(at=at, actor=user.get_username(), action="result.revoke", subject=f"case:{doc.case.number}",
                  data={"doc_id": doc.doc_id, "reason": reason})
        if trust.federated():  # every peer learns of it, so its verify page shows 已吊销 too
            notice = {"doc_id": doc.doc_id, "issuer": doc.issuer, "revoked_at": at.isoformat(), "reason": reason}
            for peer in trust.peers():
                enqueue(peer, "result.revoke", notice)
    doc.refresh_from_db()
    return doc


# ---- verify --------------------------------------------------------------------------------------

class Status:
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"
    MALFORMED = "malformed"


STATUS_LABELS = {Status.VALID: "有效", Status.INVALID: "无效", Status.REVOKED: "已吊销",
                 Status.MALFORMED: "无法识别"}


@dataclass
class VerifyResult:
    status: str
    reasons: list[str] = field(default_factory=list)  # why invalid / revoked / malformed
    notes: list[str] = field(default_factory=list)  # what the result does not cover
    issuer: str = ""
    issuer_name: str = ""
    issuer_url: str = ""
    payload: dict | None = None  # set only when the signature holds
    revocation_known: bool = False  # issued here: the local table says whether it was revoked
    revoked_at: datetime.datetime | None = None
    revocation_reason: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def doc_id(self) -> str:
        return str(self.payload.get("doc_id", "")) if self.payload else ""

    def facts(self) -> list[tuple[str, str]]:
        """What the signed document says (masked as signed), for the page and the command line."""
        if not self.payload:
            return []
        p = self.payload
        item, party = _dict(p.get("item")), _dict(p.get("applicant"))
        masked = party.get("id_number_masked") or party.get("credit_code_masked") or ""
        return [
            ("文书类型", str(p.get("kind_label", ""))), ("文书编号", self.doc_id),
            ("签发节点", self.issuer_name + ("（本节点）" if self.issuer == keys.node_id() else "")),
            ("办件编号", str(p.get("case_number", ""))),
            ("事项", f"{item.get('name', '')}（{item.get('code', '')}）"),
            ("申请人", f"{party.get('name', '')}" + (f"（{masked}）" if masked else "")),
            ("办理结果", str(p.get("outcome_label", ""))), ("办结日期", cn_date_text(p.get("decided_on"))),
            ("审批部门", str(p.get("department", ""))), ("签发时间", local_time_text(p.get("issued_at"))),
            ("内容指纹", fingerprint(p)),
        ]


def verify_document(data) -> VerifyResult:
    """Check a document file (the parsed JSON): shape, trusted issuer, signature, then revocation.

    Needs no network: the issuer's key comes from the trust bundle. Revocation is known only for
    documents issued here; for another node's document the result says so.
    """
    problem = envelope_problem(data)
    if problem:
        return VerifyResult(Status.MALFORMED, reasons=[problem])
    issuer, payload, signature = data["issuer"], data["payload"], data["signature"]
    result = VerifyResult(Status.INVALID, issuer=issuer, issuer_name=issuer)
    try:
        node = trust.node(issuer)
    except trust.TrustError as exc:
        result.reasons.append(f"无法确认签发节点：{exc}。本节点不信任该节点签发的文书。")
        return result
    result.issuer_name, result.issuer_url = issuer_name(issuer), node.url
    try:
        trust.verify(issuer, keys.canonical(payload), signature)
    except trust.TrustError:
        result.reasons.append(f"签名无效：文书内容与签名不符（内容已被改动），或签名不是{result.issuer_name}作出的。")
        return result
    missing = [name for name in PAYLOAD_FIELDS if name not in payload]
    if payload.get("issuer") != issuer:
        result.reasons.append("文书内容中的签发节点与文件声明的签发节点不一致。")
    elif missing:
        result.reasons.append(f"签名正确，但文书内容不完整（缺少 {'、'.join(missing)}）。")
    if result.reasons:
        return result
    result.payload = payload
    if issuer != keys.node_id():
        return _with_revocation_notice(result, payload)
    return _with_local_record(result, payload, signature)


def _with_revocation_notice(result: VerifyResult, payload: dict) -> VerifyResult:
    """A document issued by another node: revoked if that node told us so (result.revoke)."""
    notice = RevocationNotice.objects.filter(doc_id=str(payload["doc_id"]), issuer=result.issuer).first()
    if notice is not None:
        result.status, result.revocation_known = Status.REVOKED, True
        result.revoked_at, result.revocation_reason = notice.revoked_at, notice.reason
        when = local_time_text(notice.revoked_at)
        result.reasons.append(f"据签发节点（{result.issuer_name}）通知，该文书已于 {when} 被吊销，"
                              f"原因：{notice.reason}")
        return result
    result.status = Status.VALID
    result.notes.append(f"本节点没有收到签发节点（{result.issuer_name}）对该文书的吊销通知。吊销通知经节点互联送达，"
                        "如有疑问以签发节点的核验结果为准。")
    return result


def apply_revocation_notice(sender: str, body: dict) -> None:
    """A peer's `result.revoke` (the envelope is already verified): kept if the sender issued the document."""
    doc_id, issuer = str(body.get("doc_id", "")), str(body.get("issuer", ""))
    if issuer != sender or not doc_id.startswith(f"{sender}:"):
        raise ResultError(f"节点 {sender} 不能吊销其他节点签发的文书 {doc_id}", code="result.not_issuer")
    try:
        revoked_at = datetime.datetime.fromisoformat(str(body["revoked_at"]))
    except (KeyError, ValueError):
        raise ResultError("吊销时间格式错误", code="result.notice_malformed") from None
    RevocationNotice.objects.get_or_create(doc_id=doc_id[:100], defaults={
        "issuer": sender, "revoked_at": revoked_at, "reason": str(body.get("reason", ""))[:200],
        "received_at": clock.now()})


def _with_local_record(result: VerifyResult, payload: dict, signature: str) -> VerifyResult:
    doc = ResultDocument.objects.filter(doc_id=str(payload["doc_id"])).first()
    if doc is None:  # signed with our key but not in our table (e.g. a database restored from backup)
        result.status = Status.VALID
        result.notes.append("签名有效，但本节点没有该文书的签发记录，无法确认其是否已被吊销。")
        return result
    if doc.signature != signature or keys.digest(doc.payload) != keys.digest(payload):
        result.status, result.payload = Status.INVALID, None
        result.reasons.append("文书与本节点的签发记录不一致。")
        return result
    result.revocation_known = True
    if doc.revoked_at:
        result.status = Status.REVOKED
        result.revoked_at, result.revocation_reason = doc.revoked_at, doc.revocation_reason
        result.reasons.append(f"该文书已于 {local_time_text(doc.revoked_at)} 被签发机关吊销，"
                              f"原因：{doc.revocation_reason}")
        return result
    result.status = Status.VALID
    return result


# ---- helpers -------------------------------------------------------------------------------------

def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def cn_date_text(value) -> str:
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def local_time_text(value) -> str:
    if not isinstance(value, datetime.datetime):
        try:
            value = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
