"""A case's files across nodes: the bytes travel once per peer, before the update that names them.

A 全程网办 application is made on the applicant's own node, and its materials (and 补正 uploads, window
scans) must reach the node that decides it. The files of a case go in its snapshot as rows (material,
hash, size, type, source); the bytes go as `blob.put` messages queued for the peer *before* the
`case.update` that lists them, in the same transaction. A peer applies its messages strictly in sequence,
so when the update arrives the bytes are already in the receiver's blob store.

The outbox row holds only the hash: the bytes are read from the blob store when the message is signed
(`wire_body`). A blob never changes, so a re-sent message is byte-identical. The receiver checks that
the bytes hash to the stated sha256 and are a PDF, JPEG or PNG by content before storing them.
An 电子证照 row has no bytes: it names the signed result document.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib

from tongban.cases.actions import do_record_peer_supplement
from tongban.cases.models import Case, CaseFile
from tongban.core import blobs
from tongban.core.errors import Invalid
from tongban.federation import keys, routing
from tongban.federation.casesync import SyncError, file_fields, remote_user
from tongban.federation.models import OutboxMessage

KIND = "blob.put"


def blob_body(sha256: str, mime: str, size: int) -> dict:
    """The outbox body of a `blob.put`: the hash only (the bytes are added when it is signed)."""
    return {"sha256": sha256, "mime": mime, "size": size}


def queued_blobs(peer: str, case_number: str) -> set[str]:
    return set(OutboxMessage.objects.filter(recipient=peer, kind=KIND, case_number=case_number)
               .values_list("body__sha256", flat=True))


def blob_messages(case: Case, peer: str) -> list[dict]:
    """The `blob.put` bodies `peer` still needs for the files of `case` (none queued for it yet)."""
    # not the files the peer gave us: their uploader is the peer's stand-in "<peer>/<username>"
    files = {f.sha256: f for f in CaseFile.objects.filter(case=case).exclude(sha256="")
             .exclude(uploaded_by__username__startswith=f"{peer}/")}
    if not files:
        return []
    sent = queued_blobs(peer, case.number)
    return [blob_body(sha, f.mime, f.size) for sha, f in sorted(files.items()) if sha not in sent]


def wire_body(kind: str, body: dict) -> dict:
    """The body as signed and sent: a `blob.put` carries the bytes, read from the blob store now."""
    if kind != KIND:
        return body
    return {**body, "data": base64.b64encode(blobs.open_blob(body["sha256"])).decode("ascii")}


def apply_blob(sender: str, body: dict) -> str:
    """Store the bytes of a peer's file after checking its hash and its type by content."""
    try:
        sha, data = str(body["sha256"]), base64.b64decode(str(body["data"]), validate=True)
    except (KeyError, binascii.Error, ValueError) as exc:
        raise Invalid(f"文件消息格式错误：{exc}", code="federation.blob_malformed") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise Invalid("文件内容与摘要不符", code="federation.blob_digest_mismatch")
    blobs.check(data, area="federation")
    blobs.store(data)
    return ""


# ---- 网上补正 of a case another node holds ----------------------------------------------------------

SUPPLEMENT = "case.supplement"


def supplement_sent(case: Case, notice_at: datetime.datetime) -> bool:
    """Sent and not refused by the holder (a refused one — e.g. a file over its size limit — may be sent again)."""
    return OutboxMessage.objects.filter(kind=SUPPLEMENT, case_number=case.number, body__notice=notice_at.isoformat()
                                        ).exclude(receipt__status="rejected").exists()


def apply_supplement(sender: str, body: dict) -> str:
    """The holder records the applicant's 补正 sent from their own node: the files, then 补正材料已收."""
    try:
        number, notice_at, by = str(body["case"]), datetime.datetime.fromisoformat(str(body["notice"])), str(body["by"])
        files = [file_fields(f) for f in body["files"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError(f"补正消息格式错误：{exc}", code="federation.supplement_malformed") from None
    case = Case.objects.select_related("receiving_region__parent", "competent_region__parent").filter(
        number=number).first()
    if case is None or routing.holder_of(case) != keys.node_id():
        raise SyncError(f"本节点当前不办理办件 {number}", code="federation.not_holder")
    if routing.receiving_node(case) != sender:
        raise SyncError(f"节点 {sender} 不是办件 {number} 的收件地节点", code="federation.not_receiving_node")
    for f in files:
        try:
            here = blobs.blob_path(str(f["sha256"])).exists()
        except ValueError:
            raise SyncError("补正文件的摘要格式错误", code="federation.supplement_malformed") from None
        if not here:
            raise SyncError(f"补正文件尚未收到：{f['material']}", code="federation.blob_missing")
    do_record_peer_supplement(remote_user(sender, by), case, notice_at, files)
    return ""
