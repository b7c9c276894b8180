"""A case's files across nodes: the bytes (blob.put) before the update that names them, checked on arrival;
网上补正 of a 全程网办 case sent from the applicant's node (廊坊) to the node that holds it (通州).

One database plays both nodes: a case's rows are saved and deleted when the scene moves to the other
node and restored when it comes back; each node has its own blob store (TONGBAN_BLOB_DIR).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import json
import uuid

import pytest
from django.core import serializers
from django.test import override_settings

from tongban.cases.actions import MaterialsMissing, do_receive, do_supplement_online, do_transition
from tongban.cases.models import Case, CaseFile, FileSource, State
from tongban.cases.tests.conftest import application, required_files
from tongban.core import blobs
from tongban.core.errors import Conflict, Invalid, TongbanError
from tongban.federation import casefiles, casesync, envelope, keys, routing
from tongban.federation.inbox import do_receive_message
from tongban.federation.models import InboxMessage, OutboxMessage, PeerSequence
from tongban.federation.outbox import wire_message
from tongban.federation.tests.conftest import take_outbox

D = datetime.date
ID_CARD = "申请人居民身份证"
NEW_ID = b"%PDF-1.4\n% the supplemented ID card\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored(root) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def distinct_files(item) -> list[tuple[str, bytes, str]]:
    """A different small PDF for every required material (so each has its own blob)."""
    return [(name, data + name.encode(), filename) for name, data, filename in required_files(item)]


@pytest.fixture
def two(nodes, people, settings, tmp_path):
    """Each node's own blob store; `at_langfang()` is 廊坊 (id, key, case prefix and blob store)."""
    tz_dir, lf_dir = tmp_path / "tz-blobs", tmp_path / "lf-blobs"
    settings.TONGBAN_BLOB_DIR = tz_dir

    @contextlib.contextmanager
    def at_node(node_id: str = "langfang"):
        with nodes["as_node"](node_id), override_settings(TONGBAN_BLOB_DIR=lf_dir):
            yield

    return {"tz": tz_dir, "lf": lf_dir, "at_langfang": at_node}


def keep(number: str) -> list:
    """One node's copy of a case (the case, its files and 补正告知), to bring back later (times exact)."""
    case = Case.objects.get(number=number)
    return serializers.serialize("python", [case, *case.files.all(), *case.supplements.all()])


def switch(number: str, copy: list, *, outbox_of: str) -> Case:
    """The scene moves to the other node: this node's rows and its outbox go, that node's copy comes back."""
    Case.objects.filter(number=number).delete()
    OutboxMessage.objects.filter(recipient=outbox_of).delete()
    for obj in serializers.deserialize("python", copy):
        obj.save()
    return Case.objects.get(number=number)


def sealed_at(two, row) -> dict:
    with two["at_langfang"]():
        return wire_message(row)


def forged(two, *, seq: int, kind: str, body: dict, case: str = "", node: str = "langfang") -> dict:
    """A message signed by `node` (廊坊 by default) with the next sequence number of our choosing."""
    with two["at_langfang"](node):
        return envelope.seal(recipient="tongzhou", message_id=uuid.uuid4(), seq=seq, case=case, kind=kind,
                             body=body)


def next_seq_from(peer: str) -> int:
    return PeerSequence.objects.get(peer=peer).last_applied + 1


# ---- 1. a 全程网办 application on 廊坊 for a 通州 item: the files go first -----------------------------

@pytest.fixture
def applied_at_langfang(two, people, rsj_item, on_day):
    """张三 (registered in 廊坊) applies online on the 廊坊 node for a 通州 item with a PDF per material."""
    on_day(D(2026, 11, 2))
    files = distinct_files(rsj_item)
    with two["at_langfang"]():
        case = do_receive(people["citizen"], application(rsj_item, files=files))
        rows = take_outbox()
        wires = [wire_message(r) for r in rows]
    return case, files, rows, wires


def test_online_application_sends_the_bytes_before_the_update_and_the_holder_has_them(two, applied_at_langfang):
    case, files, rows, wires = applied_at_langfang
    assert case.mode == "全程网办" and case.receiving_region.code == "131000" and case.number.startswith("LF")
    assert {r.recipient for r in rows} == {"tongzhou"}
    assert [r.kind for r in rows] == ["blob.put"] * len(files) + ["case.update"]
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    update = rows[-1]
    assert {f["sha256"] for f in update.body["files"]} == {sha(data) for _, data, _ in files}
    assert {r.body["sha256"] for r in rows[:-1]} == {sha(data) for _, data, _ in files}
    for row, wire in zip(rows[:-1], wires[:-1], strict=True):
        assert "data" not in row.body  # the outbox row holds the hash only
        data = base64.b64decode(wire["body"]["data"])
        assert sha(data) == wire["body"]["sha256"] == row.body["sha256"]
        assert wire["body"]["size"] == len(data) and wire["body"]["mime"] == "application/pdf"
    assert sealed_at(two, rows[0]) == wires[0]  # a re-send is byte-identical

    # at 通州: the 廊坊 copy is gone from this database, as it would be from 通州's; 通州's blob store is empty
    Case.objects.filter(number=case.number).delete()
    assert stored(two["tz"]) == set()
    receipts = [do_receive_message(w) for w in wires]
    assert [r["status"] for r in receipts] == ["applied"] * len(wires)

    copy = Case.objects.select_related("receiving_region__parent", "competent_region__parent").get(
        number=case.number)
    assert routing.holder_of(copy) == "tongzhou" == keys.node_id()
    rows_here = {f.material: f for f in copy.files.all()}
    assert {m: f.sha256 for m, f in rows_here.items()} == {name: sha(data) for name, data, _ in files}
    assert {f.source for f in rows_here.values()} == {FileSource.ONLINE}
    assert stored(two["tz"]) == {sha(data) for _, data, _ in files}
    for name, data, _ in files:
        assert blobs.open_blob(rows_here[name].sha256) == data


def test_an_update_naming_bytes_the_holder_refused_is_not_applied(two, applied_at_langfang, settings):
    case, files, rows, wires = applied_at_langfang
    Case.objects.filter(number=case.number).delete()
    settings.TONGBAN_UPLOAD_MAX_BYTES = 10  # 通州's own limit is smaller than the files 廊坊 accepted
    receipts = [do_receive_message(w) for w in wires]
    assert [r["status"] for r in receipts] == ["rejected"] * len(wires)
    assert "未收到或已拒收" in receipts[-1]["reason"]
    assert not Case.objects.filter(number=case.number).exists() and stored(two["tz"]) == set()


def test_the_holder_sends_back_no_bytes_the_peer_gave_it(two, people, applied_at_langfang):
    case, _, _, wires = applied_at_langfang
    Case.objects.filter(number=case.number).delete()
    for wire in wires:
        do_receive_message(wire)
    copy = Case.objects.get(number=case.number)
    do_transition(people["tz_rsj"], copy, "accept")
    (update,) = take_outbox()  # 廊坊 has the bytes: only the update goes back
    assert (update.recipient, update.kind, update.body["state"]) == ("langfang", "case.update", "accepted")
    assert len(update.body["files"]) == len(wires) - 1


# ---- 2. blob.put checked on arrival ----------------------------------------------------------------

def test_a_blob_that_does_not_match_its_hash_or_is_not_a_document_is_refused(two):
    pdf, other = b"%PDF-1.4\n% one\n%%EOF\n", b"%PDF-1.4\n% another\n%%EOF\n"

    def body(data: bytes, digest: str, mime: str = "application/pdf") -> dict:
        return {"sha256": digest, "mime": mime, "size": len(data), "data": base64.b64encode(data).decode()}

    with pytest.raises(Invalid) as mismatch:
        casefiles.apply_blob("langfang", body(other, sha(pdf)))
    assert mismatch.value.code == "federation.blob_digest_mismatch"
    with pytest.raises(Invalid) as exe:
        casefiles.apply_blob("langfang", body(EXE, sha(EXE), "application/pdf"))
    assert exe.value.code == "federation.file_type"
    assert stored(two["tz"]) == set()

    cases = [(body(other, sha(pdf)), mismatch.value.message), (body(EXE, sha(EXE)), exe.value.message)]
    for n, (bad, reason) in enumerate(cases, start=1):
        receipt = do_receive_message(forged(two, seq=n, kind="blob.put", body=bad))
        assert (receipt["status"], receipt["reason"]) == ("rejected", reason)
    assert list(InboxMessage.objects.order_by("seq").values_list("status", flat=True)) == ["rejected"] * 2
    assert InboxMessage.objects.first().get_status_display() == "未执行"  # type: ignore[union-attr]
    assert stored(two["tz"]) == set()

    receipt = do_receive_message(forged(two, seq=3, kind="blob.put", body=body(pdf, sha(pdf))))
    assert receipt["status"] == "applied" and stored(two["tz"]) == {sha(pdf)}
    assert blobs.open_blob(sha(pdf)) == pdf


# ---- 3. 网上补正 on 廊坊 of a case 通州 holds -----------------------------------------------------------

@pytest.fixture
def supplement_queued(two, people, applied_at_langfang, on_day):
    """At 通州: accepted 11-02, 补正 of the ID card asked 11-03; at 廊坊: 张三 uploads it online 11-05.

    Returns the case number, 通州's copy (to switch back to), 廊坊's outbox rows and its copy."""
    case, _, _, wires = applied_at_langfang
    langfang_copy = keep(case.number)
    Case.objects.filter(number=case.number).delete()
    for wire in wires:
        do_receive_message(wire)
    here = do_transition(people["tz_rsj"], Case.objects.get(number=case.number), "accept")
    on_day(D(2026, 11, 3))
    here = do_transition(people["tz_rsj"], here, "request_supplement", missing=[ID_CARD])
    updates = take_outbox()
    assert [(u.recipient, u.kind) for u in updates] == [("langfang", "case.update")] * 2
    tongzhou_copy, notice_at = keep(case.number), here.supplements.get().requested_at
    tongzhou_wires = [wire_message(u) for u in updates]

    on_day(D(2026, 11, 5))
    there = switch(case.number, langfang_copy, outbox_of="langfang")  # now at 廊坊
    with two["at_langfang"]():
        assert [do_receive_message(w)["status"] for w in tongzhou_wires] == ["applied", "applied"]
        there = Case.objects.get(number=case.number)
        assert (there.state, there.supplements.get().missing) == (State.SUPPLEMENT, [ID_CARD])
        result = do_supplement_online(people["citizen"], there, [(ID_CARD, NEW_ID, "id-new.pdf")])
        rows = list(OutboxMessage.objects.filter(recipient="tongzhou").order_by("seq"))  # 廊坊's, kept
        wires = [wire_message(r) for r in rows]
    return {"number": case.number, "result": result, "rows": rows, "wires": wires,
            "tongzhou_copy": tongzhou_copy, "notice_at": notice_at, "version": here.version}


def test_the_applicants_supplement_is_sent_to_the_holder_and_waits(two, people, supplement_queued):
    s = supplement_queued
    there = Case.objects.get(number=s["number"])  # still at 廊坊
    assert there.state == State.SUPPLEMENT == s["result"].state and there.version == s["version"]
    assert there.supplements.get().fulfilled_at is None
    assert not there.files.filter(source=FileSource.SUPPLEMENT).exists()
    assert [(r.recipient, r.kind) for r in s["rows"]] == [("tongzhou", "blob.put"), ("tongzhou", "case.supplement")]
    blob, step = s["rows"]
    assert blob.seq + 1 == step.seq and blob.body["sha256"] == sha(NEW_ID)
    assert step.body["notice"] == s["notice_at"].isoformat() and step.body["by"] == "citizen"
    assert [(f["material"], f["sha256"]) for f in step.body["files"]] == [(ID_CARD, sha(NEW_ID))]
    assert base64.b64decode(s["wires"][0]["body"]["data"]) == NEW_ID

    with two["at_langfang"](), pytest.raises(Conflict) as again:
        do_supplement_online(people["citizen"], there, [(ID_CARD, NEW_ID, "id-new.pdf")])
    assert again.value.code == "case.supplement_pending"
    assert OutboxMessage.objects.count() == 2  # nothing more queued


def test_the_holder_records_the_supplement_and_the_clock_resumes(two, people, supplement_queued, on_day):
    s = supplement_queued
    on_day(D(2026, 11, 9))  # paused (11-03, 11-09]: 11-04, 05, 06, 09
    here = switch(s["number"], s["tongzhou_copy"], outbox_of="tongzhou")
    assert here.state == State.SUPPLEMENT and stored(two["tz"]).isdisjoint({sha(NEW_ID)})
    assert [do_receive_message(w)["status"] for w in s["wires"]] == ["applied", "applied"]

    here = Case.objects.get(number=s["number"])
    assert (here.state, here.resume_state, here.paused_since, here.paused_workdays) == (State.ACCEPTED, "", None, 4)
    assert here.version == s["version"] + 1
    assert here.supplements.get().fulfilled_at is not None
    (row,) = here.files.filter(source=FileSource.SUPPLEMENT)
    assert row.uploaded_by is not None
    assert (row.material, row.sha256, row.uploaded_by.username) == (ID_CARD, sha(NEW_ID), "langfang/citizen")
    assert blobs.open_blob(row.sha256) == NEW_ID
    (update,) = take_outbox()  # 廊坊 learns of it; the bytes are its own: not sent back
    assert (update.recipient, update.kind, update.body["state"]) == ("langfang", "case.update", State.ACCEPTED)

    # the same message again (a lost receipt): the original receipt, nothing twice
    assert do_receive_message(s["wires"][1])["status"] == "applied"
    assert Case.objects.get(number=s["number"]).version == s["version"] + 1
    assert CaseFile.objects.filter(case=here, source=FileSource.SUPPLEMENT).count() == 1


def _unchanged(number: str, before: tuple) -> None:
    case = Case.objects.get(number=number)
    assert (case.state, case.version, case.paused_since, case.files.count(),
            case.supplements.filter(fulfilled_at__isnull=True).count()) == before


def test_a_supplement_for_another_notice_or_incomplete_or_from_another_node_is_refused(two, nodes,
                                                                                      supplement_queued, on_day):
    s = supplement_queued
    on_day(D(2026, 11, 9))
    here = switch(s["number"], s["tongzhou_copy"], outbox_of="tongzhou")
    before = (here.state, here.version, here.paused_since, here.files.count(), 1)
    assert do_receive_message(s["wires"][0])["status"] == "applied"  # the bytes arrive
    genuine = s["rows"][1].body
    wrong_notice = {**genuine, "notice": (s["notice_at"] - datetime.timedelta(days=1)).isoformat()}
    incomplete = {**genuine, "files": [{**genuine["files"][0], "material": "补充说明"}]}

    with pytest.raises(TongbanError) as stale:
        casefiles.apply_supplement("langfang", wrong_notice)
    assert stale.value.code == "case.no_supplement"
    with pytest.raises(MaterialsMissing) as missing:
        casefiles.apply_supplement("langfang", incomplete)
    assert missing.value.missing == [ID_CARD]
    _unchanged(s["number"], before)

    # out of shape: a size no column holds, a hash that is not one, a type that is not a document
    oversized = {**genuine, "files": [{**genuine["files"][0], "size": 2**70}]}
    not_a_hash = {**genuine, "files": [{**genuine["files"][0], "sha256": "../../etc/passwd"}]}
    not_a_document = {**genuine, "files": [{**genuine["files"][0], "mime": "text/html"}]}
    for body in (oversized, not_a_hash, not_a_document):
        with pytest.raises(TongbanError) as malformed:
            casefiles.apply_supplement("langfang", body)
        assert malformed.value.code == "federation.supplement_malformed"

    for body in (wrong_notice, incomplete, oversized, not_a_hash):
        message = forged(two, seq=next_seq_from("langfang"), kind="case.supplement", body=body, case=s["number"])
        assert do_receive_message(message)["status"] == "rejected"
        _unchanged(s["number"], before)

    # a third trusted node, not where 张三 applied: it may not answer his 补正告知
    with override_settings(TONGBAN_NODE_KEY_FILE=nodes["key_files"]["intruder"]):
        entry = {"id": "intruder", "name": "intruder 节点", "url": "http://intruder.invalid",
                 "public_key": keys.public_key_text(), "regions": []}
    nodes["bundle"].write_text(json.dumps({"nodes": [*nodes["entries"], entry]}), encoding="utf-8")
    with pytest.raises(TongbanError) as elsewhere:
        casefiles.apply_supplement("intruder", genuine)
    assert elsewhere.value.code == "federation.not_receiving_node"
    message = forged(two, seq=1, kind="case.supplement", body=genuine, case=s["number"], node="intruder")
    receipt = do_receive_message(message)
    assert receipt["status"] == "rejected" and "不是办件" in receipt["reason"]
    _unchanged(s["number"], before)
    assert not CaseFile.objects.filter(source=FileSource.SUPPLEMENT).exists()


def test_a_snapshots_file_rows_are_checked_field_by_field():
    good = {"material": "申请表", "sha256": "a" * 64, "size": 10, "mime": "application/pdf",
            "filename": "C:\\scans\\表\n格.pdf", "source": "online", "doc_id": "", "uploaded_by": "", "uploaded_at": ""}
    assert casesync._snapshot_file(good)["filename"] == "表格.pdf"  # no path, no control character
    licence = {**good, "sha256": "", "size": 0, "mime": "", "source": "elicence", "doc_id": f"tongzhou:{'b' * 32}"}
    assert casesync._snapshot_file(licence)["doc_id"] == f"tongzhou:{'b' * 32}"
    for bad in ({**good, "size": 2**70}, {**good, "size": "10"}, {**good, "sha256": "zz"},
                {**good, "mime": "text/html"}, {**good, "source": "teleport"}, {**licence, "doc_id": "../x"}):
        with pytest.raises(TongbanError) as refused:
            casesync._snapshot_file(bad)
        assert refused.value.code == "federation.case_malformed"
