"""The audit trail's public interface: append an entry, verify the chain, list a subject's entries.

Hash of entry n (hex SHA-256, see docs/audit.md):

    hash_n = sha256(utf8(prev_hash + canonical_json([seq, at, actor, action, subject, data])))

where prev_hash is hash_(n-1), or 64 zeros for entry 1 (the genesis), `at` is ISO 8601 in UTC with
microseconds (2026-03-01T02:03:04.000005+00:00) and canonical JSON is `json.dumps(…, sort_keys=True,
ensure_ascii=False, separators=(",", ":"))`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tongban.audit.masking import mask_personal, mask_text
from tongban.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from tongban.core import clock
from tongban.core.errors import Invalid

__all__ = ["AuditError", "VerifyResult", "do_append", "entries_for", "entry_hash", "mask_personal", "verify"]


class AuditError(Invalid):
    """An entry could not be appended (a programming error, as a rule); the message says why."""

    code = "audit.invalid"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(*, prev_hash: str, seq: int, at: datetime, actor: str, action: str, subject: str, data: dict) -> str:
    payload = canonical_json([seq, iso_utc(at), actor, action, subject, data])
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _content_hash(entry: AuditEntry, *, seq: int | None = None) -> str:
    return entry_hash(prev_hash=entry.prev_hash, seq=entry.seq if seq is None else seq, at=entry.at,
                      actor=entry.actor, action=entry.action, subject=entry.subject, data=entry.data)


def _no_floats(value: Any) -> None:
    # A float's text form is not stable through the databases' JSON storage (PostgreSQL's jsonb
    # gives 1e16 back as 10000000000000000), which would break the hash on verify.
    if isinstance(value, float):
        raise AuditError(f"审计内容不能包含浮点数（{value!r}）：请改用字符串、整数或 Decimal。",
                         code="audit.float_in_data")
    if isinstance(value, dict):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _no_floats(item)


def _prepare_data(data: dict | None) -> dict:
    """The data exactly as it will read back from the database: JSON types only, personal data masked."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AuditError("审计内容必须是字典（dict）。", code="audit.data_not_dict")
    try:
        # DjangoJSONEncoder turns dates, Decimals and UUIDs into strings; the round trip also turns
        # tuples into lists and keys into strings, as the JSON column will.
        plain = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise AuditError(f"审计内容无法保存为 JSON：{exc}", code="audit.data_not_json") from None
    _no_floats(plain)
    return mask_personal(plain)


def _check_text(name: str, value: str, max_length: int | None) -> str:
    """`value`, refused when empty or longer than the column's `max_length` (None: the column has no limit)."""
    if not isinstance(value, str) or not value.strip():
        raise AuditError(f"审计记录的 {name} 不能为空。", code="audit.empty_field")
    if max_length is not None and len(value) > max_length:
        raise AuditError(f"审计记录的 {name} 过长（最多 {max_length} 个字符）：{value[:40]}…",
                         code="audit.field_too_long")
    return value


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The head row is created by migration 0003; a test-suite flush removes it with everything else.
        # Recreate it only for an empty trail: anything else means the head was deleted.
        if AuditEntry.objects.exists():
            raise AuditError("审计链头缺失但已有审计记录，无法追加：请运行 tongban audit verify 查明原因。",
                             code="audit.head_missing")
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0,
                                                                                    "hash": GENESIS_HASH})
    return head


def do_append(*, actor: str, action: str, subject: str, data: dict | None = None,
              at: datetime | None = None) -> AuditEntry:
    """Append one entry to the audit trail (审计记录), in the caller's transaction.

    Must be called inside the caller's `transaction.atomic()`, so the entry commits or rolls back with
    the change it records. Locks: the AuditHead row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
    IMMEDIATE transaction already holds the database write lock). The lock is held until the caller's
    transaction ends and serialises every auditing transaction from this point on, so call do_append
    as late as possible in the transaction.

    Personal data is masked before it is hashed or stored: `data` by `mask_personal`, and 身份证号 or
    mobile numbers in `actor` and `subject` by shape. Floats are refused (see `_no_floats`).
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditError("do_append 必须在调用方的 transaction.atomic() 中调用，使审计记录与所记录的变更同时提交。",
                         code="audit.not_in_transaction")
    if at is None:
        at = clock.now()
    elif timezone.is_naive(at):
        raise AuditError("审计记录的时间必须带时区。", code="audit.naive_time")
    actor = _check_text("actor", mask_text(actor), AuditEntry._meta.get_field("actor").max_length)
    action = _check_text("action", action, AuditEntry._meta.get_field("action").max_length)
    subject = _check_text("subject", mask_text(subject), AuditEntry._meta.get_field("subject").max_length)
    data = _prepare_data(data)
    at = at.astimezone(UTC)

    head = _lock_head()
    seq = head.seq + 1
    digest = entry_hash(prev_hash=head.hash, seq=seq, at=at, actor=actor, action=action, subject=subject, data=data)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, subject=subject, data=data,
                       prev_hash=head.hash, hash=digest)
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return entry


def entries_for(subject: str) -> QuerySet[AuditEntry]:
    """The entries about one subject (e.g. "case:TB20260000123"), oldest first."""
    return AuditEntry.objects.filter(subject=mask_text(subject)).order_by("seq")


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str  # in Chinese; empty when ok


class _Chain:
    """Walks the entries in seq order, remembering the last good one."""

    def __init__(self) -> None:
        self.seq = 0
        self.hash = GENESIS_HASH
        self.checked = 0

    def fail(self, seq: int, problem: str) -> VerifyResult:
        return VerifyResult(ok=False, checked=self.checked, first_bad_seq=seq, problem=problem)

    def check(self, entry: AuditEntry) -> VerifyResult | None:
        expected = self.seq + 1
        if entry.seq != expected:
            missing = f"第 {expected} 条" if entry.seq == expected + 1 else f"第 {expected}–{entry.seq - 1} 条"
            return self.fail(expected, f"{missing}记录缺失（被删除），序号从 {self.seq} 跳到 {entry.seq}。")
        content_ok = _content_hash(entry) == entry.hash
        if entry.prev_hash != self.hash:
            return self._broken_link(entry, content_ok)
        if not content_ok:
            return self.fail(entry.seq, f"第 {entry.seq} 条记录的内容被篡改（哈希与内容不符）。")
        self.seq, self.hash = entry.seq, entry.hash
        self.checked += 1
        return None

    def _broken_link(self, entry: AuditEntry, content_ok: bool) -> VerifyResult:
        # Which entry was this one chained to? Only looked up on failure (hash is indexed).
        origin = AuditEntry.objects.filter(hash=entry.prev_hash).exclude(pk=entry.pk).only("seq").first()
        if origin is not None and _content_hash(entry, seq=origin.seq + 1) == entry.hash:
            return self.fail(entry.seq, f"记录顺序被调换：第 {entry.seq} 条记录原为第 {origin.seq + 1} 条"
                                        f"（它接在第 {origin.seq} 条之后）。")
        if content_ok and self.seq > 0:
            return self.fail(self.seq, f"第 {self.seq} 条与第 {entry.seq} 条记录之间的链接断开：第 {self.seq} 条"
                                       f"被改写后重新计算了哈希，或第 {entry.seq} 条被替换。")
        return self.fail(entry.seq, f"第 {entry.seq} 条记录与前一条记录的链接断开"
                                    "（前面有记录被删除后重新编号，或该记录被伪造）。")


def _entries_after(seq: int, batch_size: int) -> Iterator[AuditEntry]:
    """Entries with a greater seq, in seq order, fetched in keyset batches (constant memory)."""
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        seq = batch[-1].seq


def verify(*, batch_size: int = 5000) -> VerifyResult:
    """Check the whole chain and the head: OK, or the first entry altered, deleted or reordered.

    Takes no lock and no long transaction. Appends committed while it runs are checked too: the head
    is read after the entries, and if it has moved on, the new entries are read before comparing.
    """
    chain = _Chain()
    while True:
        for entry in _entries_after(chain.seq, batch_size):
            if (failure := chain.check(entry)) is not None:
                return failure
        head = AuditHead.objects.filter(pk=1).first()
        if head is None or head.seq <= chain.seq or not AuditEntry.objects.filter(seq__gt=chain.seq).exists():
            break
    if head is None:
        if chain.seq == 0:
            return VerifyResult(ok=True, checked=0, first_bad_seq=None, problem="")
        return chain.fail(chain.seq, f"审计链头缺失（AuditHead 不存在），无法确认第 {chain.seq} 条之后没有记录被删除。")
    if head.seq > chain.seq:
        return chain.fail(chain.seq + 1, f"末尾记录被删除：链头记录到第 {head.seq} 条，"
                                         f"但最后一条记录是第 {chain.seq} 条。")
    if head.seq < chain.seq:
        return chain.fail(head.seq + 1, f"链头被篡改：链头记录到第 {head.seq} 条，但实际有 {chain.seq} 条记录。")
    if head.hash != chain.hash:
        return chain.fail(head.seq or 1, f"链头哈希与第 {head.seq} 条记录的哈希不符：链头被篡改，"
                                            "或最后一条记录被改写后重新计算了哈希。")
    return VerifyResult(ok=True, checked=chain.checked, first_bad_seq=None, problem="")
