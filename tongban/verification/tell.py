"""The 办结 message with a link to verify the signed result (审批互信), and the result's copy on the
receiving node.

`tell_result(case, before)` is a case listener that runs before `cases.tell.tell_applicant` (setting
`TONGBAN_CASE_LISTENERS`). When a case becomes 已办结:

- **on the node that signs** (the competent region's, `issuing_node`), the signed result document is
  issued there and then (`do_issue_result`, in the decision's transaction). If this node also tells
  the applicant, the 办结 message links ``<TONGBAN_PUBLIC_URL>/verify/<doc_id>/``. If the applicant
  applied on the other node, the signed document goes there as a `result.issued` message, queued before
  the case's update (cases.actions runs the listeners before replicating), so the other node holds it
  when it learns of the decision;
- **on the node that tells the applicant but does not sign**, the copy received that way is the
  document: the 办结 message links this node's ``/verify/<doc_id>/`` (it verifies the copy against the
  issuer's key in the trust bundle), and the resident finds it under 我的证照 and can reuse it as an
  电子证照.

Either way the message has the event key of `cases.tell` (``case:<number>:decided:<version>``), which
then writes nothing; without a document (an older peer), `cases.tell` links the progress page.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from tongban.audit.actions import do_append
from tongban.cases import tell
from tongban.cases.models import Case, State
from tongban.cases.ports import federation
from tongban.core import clock
from tongban.federation import keys, routing, trust
from tongban.federation.outbox import enqueue
from tongban.notifications.texts import public_url
from tongban.verification.actions import ResultError, do_issue_result, issuing_node, kind_for, verify_document
from tongban.verification.models import ResultDocument
from tongban.verification.payload import envelope

ISSUED = "result.issued"


def tell_result(case: Case, before: str) -> None:
    """Case listener: sign the result where it is decided, send it where the applicant is, tell them (above)."""
    if case.state != State.DECIDED or before == State.DECIDED or not case.outcome:
        return
    doc: ResultDocument | None
    if issuing_node(case) == keys.node_id():
        doc = do_issue_result(case)
        receiving = routing.receiving_node(case)
        if trust.federated() and receiving != keys.node_id():
            enqueue(receiving, ISSUED, {"case": case.number, "kind": doc.kind, "issued_at": doc.issued_at.isoformat(),
                                        "file": envelope(doc.issuer, doc.payload, doc.signature)}, case.number)
    else:
        doc = ResultDocument.objects.filter(case=case, kind=kind_for(case)).first()
    if doc is None or not federation().tells_applicant(case):
        return
    link = public_url(reverse("verification:page", args=[doc.doc_id]))
    tell.tell(case, tell.decided(case, "核验结果：", link))


def apply_result_issued(sender: str, body: dict) -> str:
    """A peer signed the result of a case the applicant applied for here: keep the signed copy."""
    try:
        number, kind, file = str(body["case"]), str(body["kind"]), body["file"]
        issued_at = datetime.datetime.fromisoformat(str(body["issued_at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultError(f"结果文书消息格式错误：{exc}", code="result.notice_malformed") from None
    case = Case.objects.select_related("competent_region__parent").filter(number=number).first()
    if case is None:
        raise ResultError(f"本节点没有办件 {number}", code="result.unknown_case")
    if issuing_node(case) != sender or not isinstance(file, dict) or file.get("issuer") != sender:
        raise ResultError(f"节点 {sender} 不是办件 {number} 结果文书的签发节点", code="result.not_issuer")
    checked = verify_document(file)
    if not checked.valid or checked.payload is None or checked.payload.get("case_number") != number:
        raise ResultError(f"结果文书核验未通过：{'；'.join(checked.reasons)}", code="result.invalid_copy")
    doc_id = str(checked.payload["doc_id"])
    _, created = ResultDocument.objects.get_or_create(doc_id=doc_id, defaults={
        "issuer": sender, "case": case, "kind": kind, "payload": file["payload"], "signature": file["signature"],
        "issued_at": issued_at})
    if created:
        do_append(at=clock.now(), actor=f"node:{sender}", action="result.copy", subject=f"case:{number}",
                  data={"doc_id": doc_id, "kind": kind})
    return ""
