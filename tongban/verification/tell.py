"""The 办结 message with a link to verify the signed result (审批互信), instead of the progress page.

`tell_result(case, before)` is a case listener that runs before `cases.tell.tell_applicant` (setting
`TONGBAN_CASE_LISTENERS`). When a case becomes 已办结 on a node that both tells the applicant (the
receiving node) and signs the result (the node of the competent region), it issues the signed result
document there and then (`do_issue_result`, in the decision's transaction) and tells the applicant
with ``<TONGBAN_PUBLIC_URL>/verify/<doc_id>/``. `cases.tell` then writes nothing for the same event
(same key ``case:<number>:decided:<version>``).

Decisions:

- The document is issued at the decision only where the SMS needs it. Otherwise it stays issued on
  first showing (the completion notice, the file download), as before.
- A case received on one node and decided on the other: the receiving node cannot sign (another
  node's result) and does not know the document's id, so its 办结 SMS links the progress page
  (cases.tell); the 办结通知 there carries the tracking QR code as before.
"""

from __future__ import annotations

from django.urls import reverse

from tongban.cases import tell
from tongban.cases.models import Case, State
from tongban.cases.ports import federation
from tongban.federation import keys
from tongban.notifications.texts import public_url
from tongban.verification.actions import do_issue_result, issuing_node


def tell_result(case: Case, before: str) -> None:
    """Case listener: sign the result and send the 办结 message with its verify link (see above)."""
    if case.state != State.DECIDED or before == State.DECIDED or not case.outcome:
        return
    if not federation().tells_applicant(case) or issuing_node(case) != keys.node_id():
        return
    doc = do_issue_result(case)
    link = public_url(reverse("verification:page", args=[doc.doc_id]))
    tell.tell(case, tell.decided(case, "核验结果：", link))
