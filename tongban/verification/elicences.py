"""电子证照 reuse: the signed results an applicant may offer instead of uploading a material again.

The cases app sits below verification, so it reaches this module through the setting
`TONGBAN_ELICENCE_SOURCE` (cases/actions/materials.py): `offer(id_number)` lists what an online
application form may offer, `check(doc_id, id_number)` is what the action trusts on submission.

Decisions: only approvals (`Kind.LICENCE`) held here and not revoked count — those this node issued and
the signed copies the other node sent for cases received here (verification/tell.py); a 办结通知 of a
denial is not a licence.
Ownership is the case's applicant 身份证号: a person's own results only; the label shows which item
and when, never someone else's data.
"""

from __future__ import annotations

from django.utils import timezone

from tongban.verification.models import Kind, ResultDocument


def _valid(id_number: str):
    return (ResultDocument.objects.select_related("case__item")
            .filter(kind=Kind.LICENCE, revoked_at__isnull=True, case__applicant_id_number=id_number,
                    case__applicant_kind="person"))


def offer(id_number: str) -> list[tuple[str, str]]:
    """(doc_id, label) of the applicant's valid electronic licences, newest first."""
    if not id_number:
        return []
    return [(doc.doc_id, f"{doc.case.item.name}（{timezone.localdate(doc.issued_at):%Y-%m-%d} 签发，"
                         f"办件 {doc.case.number}）") for doc in _valid(id_number)[:50]]


def check(doc_id: str, id_number: str) -> bool:
    """`doc_id` is a valid electronic licence of the person with `id_number`."""
    return bool(doc_id and id_number) and _valid(id_number).filter(doc_id=doc_id).exists()
