"""Verify finds every kind of tampering a database user could do, and names the first bad entry."""

from __future__ import annotations

import pytest

from tongban.audit.actions import entry_hash, verify
from tongban.audit.models import AuditEntry
from tongban.audit.tests.helpers import tamper, trail

UPDATE = "UPDATE audit_auditentry SET {} WHERE seq = %s"


@pytest.fixture
def five(db):
    trail(5)
    assert verify().ok


def broken_at(seq: int, words: str):
    result = verify(batch_size=2)  # small batches: the check must not depend on where a batch ends
    assert not result.ok, "verify missed the tampering"
    assert result.first_bad_seq == seq, result.problem
    assert words in result.problem
    return result


def test_altered_content(five):
    tamper((UPDATE.format("actor = %s"), ["mallory", 3]))
    result = broken_at(3, "内容被篡改")
    assert result.checked == 2


def test_altered_data(five):
    tamper((UPDATE.format("data = %s"), ['{"n": 99}', 2]))
    broken_at(2, "内容被篡改")


def test_altered_time(five):
    tamper(("UPDATE audit_auditentry SET at = (SELECT at FROM audit_auditentry WHERE seq = 1) WHERE seq = %s", [4]))
    broken_at(4, "内容被篡改")


def test_rewritten_entry_with_recomputed_hash(five):
    entry = AuditEntry.objects.get(seq=3)
    forged = entry_hash(prev_hash=entry.prev_hash, seq=3, at=entry.at, actor="mallory", action=entry.action,
                        subject=entry.subject, data=entry.data)
    tamper((UPDATE.format("actor = %s, hash = %s"), ["mallory", forged, 3]))
    broken_at(3, "重新计算了哈希")


def test_deleted_middle_entry(five):
    tamper(("DELETE FROM audit_auditentry WHERE seq = %s", [3]))
    broken_at(3, "第 3 条记录缺失")


def test_deleted_first_entry(five):
    tamper(("DELETE FROM audit_auditentry WHERE seq = %s", [1]))
    broken_at(1, "第 1 条记录缺失")


def test_deleted_entry_and_renumbered_the_rest(five):
    tamper(("DELETE FROM audit_auditentry WHERE seq = %s", [3]),
           *[(UPDATE.format("seq = %s"), [seq - 1, seq]) for seq in (4, 5)],
           ("UPDATE audit_audithead SET seq = 4", []))
    broken_at(3, "链接断开")


def test_swapped_entries(five):
    tamper((UPDATE.format("seq = %s"), [999, 2]),
           (UPDATE.format("seq = %s"), [2, 4]),
           (UPDATE.format("seq = %s"), [4, 999]))
    broken_at(2, "顺序被调换")


def test_deleted_last_entry(five):
    tamper(("DELETE FROM audit_auditentry WHERE seq = %s", [5]))
    broken_at(5, "末尾记录被删除")


def test_edited_head_hash(five):
    tamper(("UPDATE audit_audithead SET hash = %s", ["f" * 64]))
    broken_at(5, "链头")


def test_head_moved_back(five):
    tamper(("UPDATE audit_audithead SET seq = 3", []))
    broken_at(4, "链头被篡改")


def test_deleted_head(five):
    tamper(("DELETE FROM audit_audithead", []))
    broken_at(5, "链头缺失")
