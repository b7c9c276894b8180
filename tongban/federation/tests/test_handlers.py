"""The inbox's registry of message kinds: who registers what, and what happens to a kind nobody handles."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

from tongban.audit.models import AuditEntry
from tongban.federation import envelope, handlers
from tongban.federation.inbox import do_receive_message
from tongban.federation.models import InboxMessage, PeerSequence

FEDERATION = Path(__file__).resolve().parents[1]


def test_every_kind_a_node_sends_is_registered_by_its_app():
    assert set(handlers.kinds()) >= {"case.update", "case.joint_task", "delegation.issue", "delegation.revoke",
                                     "result.revoke"}
    from tongban.verification.actions import apply_revocation_notice

    registered = handlers.registration("result.revoke")
    assert registered is not None and registered.handler is apply_revocation_notice  # by VerificationConfig


def test_a_kind_is_handled_once():
    registered = handlers.registration("result.revoke")
    assert registered is not None
    handlers.register("result.revoke", registered.handler)  # the same again (a second ready()): no change
    assert handlers.registration("result.revoke") == registered
    with pytest.raises(ValueError, match="already handled"):
        handlers.register("result.revoke", lambda sender, body: None)
    assert handlers.registration("result.revoke") == registered


def test_federation_imports_no_app_that_registers_with_it():
    """verification → federation, never back (no cycle); documents likewise."""
    for path in FEDERATION.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.startswith(("tongban.verification", "tongban.documents"))], path


def _from_langfang(nodes, seq: int, kind: str, case: str, body: dict) -> dict:
    with nodes["as_node"]("langfang"):
        return envelope.seal(recipient="tongzhou", message_id=uuid.uuid4(), seq=seq, case=case, kind=kind,
                             body=body)


def test_an_unknown_kind_is_recorded_as_rejected_and_the_sequence_moves_on(db, nodes):
    before = AuditEntry.objects.count()
    receipt = do_receive_message(_from_langfang(nodes, 1, "case.teleport", "LF20260000001", {"x": 1}))
    assert receipt["status"] == "rejected" and receipt["reason"] == "未知消息类型：case.teleport"
    row = InboxMessage.objects.get()
    assert (row.kind, row.status, row.seq) == ("case.teleport", "rejected", 1)
    assert PeerSequence.objects.get(peer="langfang").last_applied == 1
    assert AuditEntry.objects.filter(action="federation.rejected").count() == 1
    assert AuditEntry.objects.count() == before + 1


def test_a_case_update_must_name_the_case_of_its_envelope(db, nodes):
    receipt = do_receive_message(_from_langfang(nodes, 1, "case.update", "LF20260000001",
                                                {"number": "LF20260000002"}))
    assert receipt["status"] == "rejected" and receipt["reason"] == "消息头与内容的办件编号不符"
