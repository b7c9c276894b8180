"""A case's materials as files: uploads checked by content, 电子证照 reuse, window scans, online 补正.

- `check_uploads` validates files before anything is written (type by content and size:
  core/blobs.py; the material must be one the case's item version lists). A refused file is put in the
  audit trail (masked) and nothing is stored.
- `check_online_materials` is the 全程网办 rule: every required material of the item version is either
  uploaded or replaced by one of the applicant's own valid 电子证照; else `MaterialsMissing`
  (``case.materials_missing``, `missing` lists them). The 电子证照 come from the layer above through
  the setting `TONGBAN_ELICENCE_SOURCE` (a module with `offer(id_number)` and `check(doc_id, id_number)`,
  tongban/verification/elicences.py): cases sits below verification and must not import it.
- Blobs are stored after every check passed and before the transaction that creates the rows; a
  transaction that then fails leaves an unreferenced blob (harmless: content-addressed, never served
  without a row).
- `do_attach_scan`: the receiving window (or the competent approver) adds a scanned paper material.
- `do_supplement_online`: the applicant of a 全程网办 case uploads what the latest 补正告知 lists; the
  files and the `supplement_received` step commit together, so the clock resumes exactly as at a window.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction

from tongban.accounts.models import profile_of
from tongban.audit.actions import do_append
from tongban.cases.actions.access import is_approver_of, is_online_applicant, is_window_of, signed_in
from tongban.cases.actions.common import MACHINE
from tongban.cases.actions.transitions import do_peer_transition, do_transition
from tongban.cases.models import Case, CaseFile, FileSource, State, SupplementNotice
from tongban.cases.ports import federation
from tongban.core import blobs, clock
from tongban.core.errors import Conflict, Invalid, NotAllowed, NotFound, TongbanError
from tongban.core.identity import mask_id
from tongban.core.typing import Actor, User


class Upload(NamedTuple):
    """One uploaded file for one material (a plain (material, data, filename) tuple works too)."""

    material: str
    data: bytes
    filename: str = ""


FileInput = Upload | tuple[str, bytes, str]  # (material, data, filename)


class Checked(NamedTuple):
    upload: Upload
    mime: str


class MaterialsMissing(Invalid):
    """Required materials neither uploaded nor replaced by an 电子证照; `missing` names them."""

    code = "case.materials_missing"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"缺少以下材料：{'、'.join(missing)}。请上传后再提交")
        self.missing = list(missing)


# ---- the 电子证照 port ----------------------------------------------------------------------------

@cache
def _source(path: str) -> ModuleType | None:
    return import_module(path) if path else None


def elicence_offer(id_number: str) -> list[tuple[str, str]]:
    """(doc_id, label) of the applicant's own valid 电子证照 (empty when no source is configured)."""
    source = _source(getattr(settings, "TONGBAN_ELICENCE_SOURCE", ""))
    return list(source.offer(id_number)) if source else []


def elicence_valid(doc_id: str, id_number: str) -> bool:
    source = _source(getattr(settings, "TONGBAN_ELICENCE_SOURCE", ""))
    return bool(source and source.check(doc_id, id_number))


# ---- checks --------------------------------------------------------------------------------------

def clean_filename(name: str) -> str:
    """The uploader's file name, for display only: no path, no control characters, at most 100 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return base[-100:] or "未命名文件"


def materials_of(case_or_snapshot: Case | dict) -> list[dict[str, Any]]:
    snapshot = case_or_snapshot.item_version.snapshot if isinstance(case_or_snapshot, Case) else case_or_snapshot
    return list(snapshot.get("materials", []))


def _refused(user: Actor, subject: str, exc: TongbanError, data: dict[str, Any]) -> None:
    """Record a refusal that touched personal data (masked); the refusal itself is raised by the caller."""
    with transaction.atomic():
        do_append(at=clock.now(), actor=user.get_username() or "anonymous", action="case.upload_refused",
                  subject=subject, data={"code": exc.code, **data})


def check_uploads(user: Actor, uploads: Sequence[FileInput], allowed: set[str], *, subject: str,
                  id_number: str = "") -> list[Checked]:
    """Every upload's sniffed type, if all are acceptable; else the first refusal (audited, nothing stored)."""
    checked = []
    for raw in uploads:
        upload = Upload(*raw)
        try:
            if upload.material not in allowed:
                raise Invalid(f"“{upload.material[:40]}”不是本事项要求的材料", code="case.unknown_materials")
            mime = blobs.check(upload.data)
        except Invalid as exc:
            _refused(user, subject, exc, {"material": upload.material[:100], "size": len(upload.data),
                                          "filename": clean_filename(upload.filename), "id_number": mask_id(id_number)})
            raise Invalid(f"{clean_filename(upload.filename)}（{upload.material[:40]}）：{exc.message}",
                          code=exc.code) from None
        checked.append(Checked(upload, mime))
    return checked


def check_online_materials(user: Actor, snapshot: dict, uploads: Sequence[FileInput],
                           elicences: Sequence[tuple[str, str]], *,
                           id_number: str, subject: str, elicences_allowed: bool) -> tuple[list[Checked], list[str]]:
    """全程网办: the checked uploads and the 电子证照 doc_ids' materials; refuses a missing required material."""
    materials = materials_of(snapshot)
    checked = check_uploads(user, uploads, {m["name"] for m in materials}, subject=subject, id_number=id_number)
    replaceable = {m["name"] for m in materials if m.get("e_licence")}
    for material, doc_id in elicences:
        if not (elicences_allowed and material in replaceable and elicence_valid(doc_id, id_number)):
            exc = Invalid("所选电子证照无效、已吊销或不属于申请人本人", code="case.elicence_invalid")
            _refused(user, subject, exc, {"material": material[:100], "doc_id": doc_id[:100],
                                          "id_number": mask_id(id_number)})
            raise exc
    provided = {c.upload.material for c in checked} | {material for material, _ in elicences}
    missing = [m["name"] for m in materials if m.get("required") and m["name"] not in provided]
    if missing:
        raise MaterialsMissing(missing)
    return checked, sorted(provided)


# ---- writing -------------------------------------------------------------------------------------

def store_all(checked: list[Checked]) -> list[tuple[Checked, str]]:
    """Write the checked uploads to the blob store (outside the transaction): each with its sha256."""
    return [(c, blobs.store(c.upload.data)) for c in checked]


def attach(case: Case, stored: list[tuple[Checked, str]], *, source: str, user: Actor,
           elicences: Sequence[tuple[str, str]] | None = None) -> list[CaseFile]:
    """The CaseFile rows, in the caller's transaction."""
    at = clock.now()
    by = signed_in(user)
    rows = [CaseFile(case=case, material=c.upload.material, sha256=sha, size=len(c.upload.data), mime=c.mime,
                     filename=clean_filename(c.upload.filename), source=source, uploaded_by=by, uploaded_at=at)
            for c, sha in stored]
    rows += [CaseFile(case=case, material=material, source=FileSource.ELICENCE, doc_id=doc_id, uploaded_by=by,
                      uploaded_at=at) for material, doc_id in elicences or []]
    return CaseFile.objects.bulk_create(rows)


def can_scan(user: Actor, case: Case) -> bool:
    """The receiving window and the competent approver add scans, until the case is archived."""
    profile = profile_of(user)
    return case.state != State.ARCHIVED and (is_window_of(profile, case) or is_approver_of(profile, case))


def do_attach_scan(user: Actor, case: Case, material: str, data: bytes, filename: str = "") -> CaseFile:
    """窗口扫描: a scanned paper material into the case. Locks: the audit head."""
    if not can_scan(user, case):
        raise NotAllowed(f"您不能向办件 {case.number} 上传扫描件（仅收件窗口和审批部门，归档前）",
                         code="case.not_allowed")
    subject = f"case:{case.number}"
    allowed = {m["name"] for m in materials_of(case)}
    (checked,) = check_uploads(user, [Upload(material, data, filename)], allowed, subject=subject,
                               id_number=case.applicant_id_number)
    stored = store_all([checked])
    with transaction.atomic():
        (row,) = attach(case, stored, source=FileSource.SCAN, user=user)
        do_append(at=clock.now(), actor=user.get_username(), action="case.attach_scan", subject=subject,
                  data={"material": material, "sha256": row.sha256, "size": row.size, "mime": row.mime})
    return row


# ---- online 补正 ---------------------------------------------------------------------------------

def open_notice(case: Case) -> SupplementNotice | None:
    """The latest 补正告知 not yet fulfilled."""
    return case.supplements.filter(fulfilled_at__isnull=True).order_by("-requested_at", "-pk").first()


def check_supplement(user: Actor, case: Case) -> SupplementNotice:
    """The notice the applicant answers online; refused unless it is theirs, waiting, and held here."""
    if not is_online_applicant(user, case):
        raise NotFound("办件不存在或无权查看", code="case.not_found")
    notice = open_notice(case)
    if case.state != State.SUPPLEMENT or notice is None:
        raise Invalid(f"办件 {case.number} 当前不需要补正", code="case.no_supplement")
    return notice


def do_supplement_online(user: Actor, case: Case, uploads: Sequence[FileInput], *,
                         expected_version: int | None = None) -> Case:
    """网上补正: attach one file (or more) per listed material and resume the case as the applicant.

    Everything listed must come at once (一次性补齐); the files and the `supplement_received` step
    (compare-and-set: a second submission finds the case no longer waiting) commit together.

    A 全程网办 case for the other region's item is held by the competent node (federation/routing.py):
    then the files and the step are sent there (`CaseFederation.send_supplement`), which records them and
    sends the new state back; until then a second submission is refused (``case.supplement_pending``)."""
    notice = check_supplement(user, case)
    MACHINE.check(case, "supplement_received")
    port = federation()
    remote = port.holder_problem(case) is not None
    if remote and port.supplement_sent(case, notice.requested_at):
        raise Conflict("补正材料已提交，正在等待审批地节点确认", code="case.supplement_pending")
    listed = list(notice.missing)
    subject = f"case:{case.number}"
    checked = check_uploads(user, uploads, set(listed), subject=subject, id_number=case.applicant_id_number)
    missing = [m for m in listed if m not in {c.upload.material for c in checked}]
    if missing:
        raise MaterialsMissing(missing)
    stored = store_all(checked)
    with transaction.atomic():
        if remote:
            holder = port.send_supplement(user, case, notice.requested_at, [
                {"material": c.upload.material, "sha256": sha, "size": len(c.upload.data), "mime": c.mime,
                 "filename": clean_filename(c.upload.filename)} for c, sha in stored])
            do_append(at=clock.now(), actor=user.get_username(), action="case.supplement_sent", subject=subject,
                      data={"holder": holder, "files": len(stored)})
            return case
        attach(case, stored, source=FileSource.SUPPLEMENT, user=user)  # before the step: its replica lists them
        return do_transition(user, case, "supplement_received", expected_version=expected_version,
                             online=True, files=len(stored))


def do_record_peer_supplement(stand_in: User, case: Case, notice_at: datetime.datetime,
                              files: list[dict[str, Any]]) -> Case:
    """The holder records the applicant's 网上补正 sent from the node they applied on: the files (their bytes
    arrived before, as blob.put messages), then 补正材料已收 — the clock resumes as at a window. The caller
    (the federation inbox) checked the sender and that the bytes are here; this checks the case."""
    notice = open_notice(case)
    if case.state != State.SUPPLEMENT or notice is None or notice.requested_at != notice_at:
        raise Invalid(f"办件 {case.number} 当前不在等待这份补正", code="case.no_supplement")
    missing = [m for m in notice.missing if m not in {f["material"] for f in files}]
    if missing:
        raise MaterialsMissing(missing)
    at = clock.now()
    CaseFile.objects.bulk_create([
        CaseFile(case=case, material=f["material"], sha256=f["sha256"], size=f["size"], mime=f["mime"],
                 filename=f["filename"], source=FileSource.SUPPLEMENT, uploaded_by=stand_in, uploaded_at=at)
        for f in files if f["material"] in notice.missing])
    return do_peer_transition(stand_in, case, "supplement_received", online=True, files=len(files))
