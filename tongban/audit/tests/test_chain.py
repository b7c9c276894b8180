"""Appending builds a hash chain; verify accepts an intact chain of any length."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from tongban.audit.actions import AuditError, VerifyResult, do_append, entries_for, verify
from tongban.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from tongban.audit.tests.helpers import trail


def test_each_entry_chains_to_the_previous_one(db):
    first, second, third = trail(3)
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH == "0" * 64
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (3, third.hash)


def test_the_hash_follows_the_documented_formula(db):
    at = datetime(2026, 3, 1, 10, 3, 4, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    with transaction.atomic():
        entry = do_append(actor="张三", action="case.accept", subject="case:TB2026-000123",
                          data={"b": "通州", "a": 1}, at=at)
    payload = '[1,"2026-03-01T02:03:04.000005+00:00","张三","case.accept","case:TB2026-000123",{"a":1,"b":"通州"}]'
    assert entry.hash == hashlib.sha256((GENESIS_HASH + payload).encode()).hexdigest()
    stored = AuditEntry.objects.get(seq=1)
    assert stored.at == at and stored.hash == entry.hash


def test_verify_accepts_an_empty_trail(db):
    assert verify() == VerifyResult(ok=True, checked=0, first_bad_seq=None, problem="")


def test_verify_accepts_a_long_trail_read_in_batches(db):
    trail(1234)
    result = verify(batch_size=100)
    assert (result.ok, result.checked, result.first_bad_seq) == (True, 1234, None)


def test_a_rolled_back_change_leaves_no_entry(db):
    trail(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        do_append(actor="wangfang", action="case.accept", subject="case:TB2026-000002")
        raise RuntimeError("the change being recorded failed")
    assert AuditEntry.objects.count() == 2 and AuditHead.objects.get(pk=1).seq == 2
    trail(1)
    assert verify().ok
    last = AuditEntry.objects.last()
    assert last is not None and last.seq == 3


def test_dates_and_decimals_are_stored_as_text_and_floats_refused(db):
    from datetime import date
    from decimal import Decimal

    with transaction.atomic():
        entry = do_append(actor="system", action="rating.add", subject="case:TB2026-000001",
                          data={"score": Decimal("4.5"), "on": date(2026, 1, 5), "tags": ("快", "好")})
    assert AuditEntry.objects.get(pk=entry.pk).data == {"score": "4.5", "on": "2026-01-05", "tags": ["快", "好"]}
    with pytest.raises(AuditError) as floats, transaction.atomic():
        do_append(actor="system", action="rating.add", subject="case:TB2026-000001", data={"score": 4.5})
    assert floats.value.code == "audit.float_in_data"
    assert verify().ok


def test_entries_for_lists_one_subject_in_order(db):
    trail(2, subject="case:A")
    trail(1, subject="case:B")
    trail(1, subject="case:A")
    assert [e.seq for e in entries_for("case:A")] == [1, 2, 4]
    assert [e.seq for e in entries_for("case:B")] == [3]


def test_appending_outside_a_transaction_is_refused(audit_transactional_db):
    with pytest.raises(AuditError) as outside:
        do_append(actor="system", action="case.accept", subject="case:TB2026-000001")
    assert outside.value.code == "audit.not_in_transaction"
    assert not AuditEntry.objects.exists()
    with transaction.atomic():
        do_append(actor="system", action="case.accept", subject="case:TB2026-000001")
    assert AuditEntry.objects.get().seq == 1 and verify().ok
