"""A case as it travels between nodes: `snapshot` writes it, `apply_snapshot` writes it into the copy here.

References go by natural keys that both nodes share through the common catalogue (item code and
version, region codes, department and centre names). People are named, not linked: an officer of the
other node becomes an inactive local user "<node>/<username>" that can never log in, so the copy can
show who did what without sharing accounts.
"""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model

from tongban.cases.actions.materials import clean_filename
from tongban.cases.models import Case, CaseFile, Extension, FileSource, JointTask, State, SupplementNotice
from tongban.catalog.models import Channel, Department, Item, ItemVersion, Region, ServiceCentre
from tongban.core import blobs
from tongban.core.errors import Invalid
from tongban.federation import keys

SCALARS = ("number", "mode", "state", "version", "applicant_kind", "applicant_name", "applicant_id_number",
           "applicant_phone", "applicant_credit_code", "delivery", "delivery_address", "materials_checked",
           "legal_limit_days", "promised_limit_days", "extension_days", "paused_workdays", "resume_state",
           "outcome", "decision_note", "refusal_reason", "refusal_basis", "suspension_reason", "delegation")
DATES = ("accepted_on", "paused_since", "decided_on")
TIMES = ("received_at", "delivered_at")


class SyncError(Invalid):
    """The body cannot be applied here (unknown item, department …); the text says what.

    The inbox records the message as rejected with the text as the receipt's reason.
    """

    code = "federation.not_applied"


def _user_name(user) -> str:
    return user.get_username() if user else ""


def snapshot(case: Case) -> dict:
    data = {f: getattr(case, f) for f in SCALARS}
    data.update({f: getattr(case, f).isoformat() if getattr(case, f) else None for f in DATES + TIMES})
    data.update(
        item=case.item.code, item_version=case.item_version.version,
        receiving_region=case.receiving_region.code, competent_region=case.competent_region.code,
        receiving_centre=case.receiving_centre.name if case.receiving_centre is not None else "",
        receiving_channel=case.receiving_channel.name if case.receiving_channel is not None else "",
        competent_department=case.competent_department.name, created_by=_user_name(case.created_by),
        delegating_region=case.delegating_region.code if case.delegating_region is not None else "",
        supplements=[{"missing": s.missing, "note": s.note, "requested_at": s.requested_at.isoformat(),
                      "requested_by": _user_name(s.requested_by),
                      "fulfilled_at": s.fulfilled_at.isoformat() if s.fulfilled_at else None}
                     for s in case.supplements.select_related("requested_by").order_by("requested_at", "pk")],
        extensions=[{"days": e.days, "reason": e.reason, "status": e.status,
                     "requested_by": _user_name(e.requested_by), "decided_by": _user_name(e.decided_by),
                     "requested_at": e.requested_at.isoformat()}
                    for e in case.extensions.select_related("requested_by", "decided_by").order_by("pk")],
        joint_tasks=[{"department": t.department.name, "region": t.department.region.code, "task": t.task,
                      "state": t.state, "note": t.note, "done_by": _user_name(t.done_by),
                      "done_at": t.done_at.isoformat() if t.done_at else None}
                     for t in case.joint_tasks.select_related("department__region", "done_by").order_by("pk")],
        files=_files(case),
    )
    return data


def _files(case: Case) -> list[dict]:
    return [{"material": f.material, "sha256": f.sha256, "size": f.size, "mime": f.mime, "filename": f.filename,
             "source": f.source, "doc_id": f.doc_id,
             "uploaded_by": f.uploaded_by.get_username() if f.uploaded_by else "",
             "uploaded_at": f.uploaded_at.isoformat()}
            for f in case.files.select_related("uploaded_by").order_by("uploaded_at", "pk")]


SHA256 = re.compile(r"^[0-9a-f]{64}$")
DOC_ID = re.compile(r"^[A-Za-z0-9_.-]{1,50}:[0-9a-f]{32}$")


def file_fields(f: dict) -> dict:
    """One file with bytes in a peer's body, checked field by field (`ValueError` for anything out of shape)."""
    sha, size, mime = str(f["sha256"]), f["size"], str(f["mime"])
    if not SHA256.match(sha) or not isinstance(size, int) or not 0 < size <= 2**31 or mime not in blobs.LABELS:
        raise ValueError(f"文件字段不合规：{sha[:70]!r} {str(size)[:20]} {mime[:40]!r}")
    return {"material": str(f["material"])[:200], "sha256": sha, "size": size, "mime": mime,
            "filename": clean_filename(str(f.get("filename", "")))}


def _snapshot_file(f: dict) -> dict:
    """A file row of a snapshot: a file with bytes, or an 电子证照 naming a signed result (no bytes)."""
    source, doc_id = str(f["source"]), str(f.get("doc_id") or "")
    if source not in FileSource.values or (doc_id and not DOC_ID.match(doc_id)):
        raise SyncError("办件材料的来源或证照编号格式错误", code="federation.case_malformed")
    if source == FileSource.ELICENCE:
        return {"material": str(f["material"])[:200], "sha256": "", "size": 0, "mime": "", "filename": "",
                "source": source, "doc_id": doc_id}
    try:
        return {**file_fields(f), "source": source, "doc_id": ""}
    except (KeyError, ValueError) as exc:
        raise SyncError(f"办件材料格式错误：{exc}", code="federation.case_malformed") from None


def remote_user(node: str, username: str):
    """The inactive local stand-in for an officer of another node."""
    if not username:
        return None
    User = get_user_model()
    home, _, plain = username.rpartition("/")
    if home == keys.node_id():  # one of ours, named by the peer: the local account
        local = User.objects.filter(username=plain).first()
        if local is not None:
            return local
    name = username if home else f"{node}/{username}"
    user, created = User.objects.get_or_create(username=name[:150], defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _time(value):
    return datetime.datetime.fromisoformat(value) if value else None


def _get(model, what: str, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        raise SyncError(f"本节点没有{what}：{'、'.join(str(v) for v in lookup.values())}",
                        code="federation.unknown_reference") from None


def resolve(data: dict) -> dict:
    """The local rows the snapshot refers to (raises SyncError if the catalogues differ)."""
    item = _get(Item, "事项", code=data["item"])
    competent_region = _get(Region, "区域", code=data["competent_region"])
    fields = dict(
        item=item, item_version=_get(ItemVersion, "该事项版本", item=item, version=data["item_version"]),
        receiving_region=_get(Region, "区域", code=data["receiving_region"]), competent_region=competent_region,
        competent_department=_get(Department, "部门", region=competent_region, name=data["competent_department"]),
        receiving_centre=(_get(ServiceCentre, "服务中心", name=data["receiving_centre"])
                          if data["receiving_centre"] else None),
        receiving_channel=(Channel.objects.filter(name=data["receiving_channel"]).first()
                           if data["receiving_channel"] else None),
        delegating_region=(_get(Region, "区域", code=data["delegating_region"])
                           if data.get("delegating_region") else None),
    )
    if data["state"] not in State.values:
        raise SyncError(f"未知状态：{data['state']}", code="federation.unknown_state")
    return fields


def apply_snapshot(sender: str, data: dict) -> tuple[Case, bool]:
    """Create or update the copy of a case from a peer's snapshot. Returns (case, created).

    The caller holds the transaction and has checked that `sender` may change this case.
    """
    fields = {f: data[f] for f in SCALARS if f != "number"}
    fields.update({f: _date(data[f]) for f in DATES})
    fields.update({f: _time(data[f]) for f in TIMES})
    fields.update(resolve(data))
    case = Case.objects.filter(number=data["number"]).first()
    created = case is None
    if case is None:
        case = Case.objects.create(number=data["number"], created_by=remote_user(sender, data["created_by"]),
                                   **fields)
    else:
        Case.objects.filter(pk=case.pk).update(**fields)
        case = Case.objects.get(pk=case.pk)
    _replace_children(case, sender, data)
    return case, created


def _replace_children(case: Case, sender: str, data: dict) -> None:
    case.supplements.all().delete()
    for s in data["supplements"]:
        SupplementNotice.objects.create(case=case, missing=s["missing"], note=s["note"],
                                        requested_at=_time(s["requested_at"]),
                                        requested_by=remote_user(sender, s["requested_by"]),
                                        fulfilled_at=_time(s["fulfilled_at"]))
    case.extensions.all().delete()
    for e in data["extensions"]:
        Extension.objects.create(case=case, days=e["days"], reason=e["reason"], status=e["status"],
                                 requested_by=remote_user(sender, e["requested_by"]),
                                 decided_by=remote_user(sender, e["decided_by"]),
                                 requested_at=_time(e["requested_at"]))
    case.files.all().delete()
    for raw in data.get("files", []):  # the bytes came before, as blob.put messages (federation/casefiles.py)
        f = _snapshot_file(raw)
        if f["sha256"] and not blobs.blob_path(f["sha256"]).exists():  # refused here (too large …): not applied
            raise SyncError(f"办件材料“{f['material']}”的文件本节点未收到或已拒收", code="federation.blob_missing")
        CaseFile.objects.create(case=case, **f, uploaded_by=remote_user(sender, str(raw["uploaded_by"])[:100]),
                                uploaded_at=_time(raw["uploaded_at"]))
    case.joint_tasks.all().delete()
    for t in data["joint_tasks"]:
        department = _get(Department, "部门", region__code=t["region"], name=t["department"])
        JointTask.objects.create(case=case, department=department, task=t["task"], state=t["state"], note=t["note"],
                                 done_by=remote_user(sender, t["done_by"]), done_at=_time(t["done_at"]))
