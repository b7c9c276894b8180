"""The audit trail (审计记录): append-only entries chained by SHA-256, and the head that seals the tail.

Only `audit.actions.do_append` writes here. Every entry's hash covers the previous entry's hash, so
changing, deleting or reordering any entry breaks the chain from that point on; `AuditHead` records
the last seq and hash, so removing entries from the end is noticed too. See docs/audit.md.
"""

from __future__ import annotations

from django.db import models

from tongban.core.errors import NotAllowed

GENESIS_HASH = "0" * 64  # prev_hash of entry 1


class AppendOnlyError(NotAllowed):
    """An attempt to change or delete an audit entry through the ORM."""

    code = "audit.append_only"


class AuditEntryQuerySet(models.QuerySet):
    # Bulk writes would bypass both the chain and AuditEntry.save/delete: refuse them outright.
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。", code="audit.update_refused")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。", code="audit.delete_refused")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("审计记录只能逐条通过 audit.actions.do_append 追加。", code="audit.bulk_create_refused")

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。", code="audit.update_refused")


class AuditEntry(models.Model):
    """One recorded state change: who (actor) did what (action) to which object (subject), and when."""

    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    at = models.DateTimeField("时间")
    actor = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=80)
    subject = models.CharField("对象", max_length=200)
    data = models.JSONField("内容", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject", "seq"], name="audit_entry_subject")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"审计记录只能追加，不能修改（第 {self.seq} 条）。", code="audit.update_refused")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"审计记录只能追加，不能删除（第 {self.seq} 条）。", code="audit.delete_refused")


class AuditHead(models.Model):
    """The single row (pk=1) naming the last entry. Appends lock it; verify compares the tail with it."""

    seq = models.PositiveBigIntegerField("最后序号", default=0)
    hash = models.CharField("最后哈希", max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
