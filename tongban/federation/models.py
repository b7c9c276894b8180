"""The exchange between nodes: a transactional outbox, an inbox of applied messages, per-peer sequences.

A change that another node must know is written to `OutboxMessage` in the same transaction as the
change itself, so it is sent if and only if the change committed. Each message to a peer carries the
next number of that peer's sequence; the receiver applies them strictly in order, so a missing one is
noticed (gap) and sent again, and a repeated one is answered with the receipt of the first.
"""

from __future__ import annotations

import uuid

from django.db import models


class PeerSequence(models.Model):
    """Per peer: the last sequence number given to an outgoing message, and the last one applied from it.

    The row is locked (SELECT … FOR UPDATE) while a number is issued or a message applied, so numbers
    are issued in commit order and messages from one peer are applied one at a time.
    """

    peer = models.CharField("节点", max_length=64, primary_key=True)
    last_sent = models.PositiveBigIntegerField("已发出序号", default=0)
    last_applied = models.PositiveBigIntegerField("已接收序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "节点序号"

    def __str__(self) -> str:
        return f"{self.peer}: sent {self.last_sent}, applied {self.last_applied}"


class OutboxMessage(models.Model):
    message_id = models.UUIDField("消息编号", unique=True, default=uuid.uuid4, editable=False)
    recipient = models.CharField("接收节点", max_length=64)
    seq = models.PositiveBigIntegerField("序号")
    kind = models.CharField("类型", max_length=40)
    case_number = models.CharField("办件编号", max_length=20, blank=True, db_index=True)
    body = models.JSONField("内容")
    created_at = models.DateTimeField("生成时间")
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    acked_at = models.DateTimeField("确认时间", null=True, blank=True)
    receipt = models.JSONField("签名回执", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发件箱"
        ordering = ["recipient", "seq"]
        constraints = [models.UniqueConstraint(fields=["recipient", "seq"], name="outbox_peer_seq")]
        indexes = [models.Index(fields=["recipient", "acked_at", "seq"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"→{self.recipient} #{self.seq} {self.kind} {self.case_number}"


class InboxMessage(models.Model):
    """A message from a peer that was verified and committed (applied, or refused by the business rules)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "已执行"
        REJECTED = "rejected", "未执行"

    message_id = models.UUIDField("消息编号", unique=True)
    sender = models.CharField("发送节点", max_length=64)
    seq = models.PositiveBigIntegerField("序号")
    kind = models.CharField("类型", max_length=40)
    case_number = models.CharField("办件编号", max_length=20, blank=True, db_index=True)
    sent_at = models.CharField("发送时间", max_length=40)
    body_digest = models.CharField("内容摘要", max_length=64)
    status = models.CharField("结果", max_length=10, choices=Status.choices)
    reason = models.CharField("说明", max_length=300, blank=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "收件箱"
        ordering = ["sender", "seq"]
        constraints = [models.UniqueConstraint(fields=["sender", "seq"], name="inbox_peer_seq")]

    def __str__(self) -> str:
        return f"←{self.sender} #{self.seq} {self.kind} {self.case_number}"


class RefusedMessage(models.Model):
    """A request to the inbox that failed verification (forged, altered, replayed, unknown sender …)."""

    at = models.DateTimeField("时间")
    claimed_sender = models.CharField("自称发送节点", max_length=64, blank=True)
    message_id = models.CharField("消息编号", max_length=64, blank=True)
    reason = models.CharField("拒收原因", max_length=300)
    remote_addr = models.CharField("来源地址", max_length=64, blank=True)
    excerpt = models.TextField("内容摘录", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "拒收记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.claimed_sender}: {self.reason}"


class Delegation(models.Model):
    """审批交叉授权: a region lets a department of another region accept and decide named items.

    Signed by the delegating node (`payload` + `signature`); the delegate's node keeps a copy that
    arrives as a `delegation.issue` message, and learns of a revocation by `delegation.revoke`.
    """

    delegation_id = models.CharField("委托编号", max_length=80, unique=True)
    issuer = models.CharField("签发节点", max_length=64)
    delegating_region = models.ForeignKey("catalog.Region", verbose_name="委托地区", on_delete=models.PROTECT,
                                          related_name="+")
    department = models.ForeignKey("catalog.Department", verbose_name="受托部门", on_delete=models.PROTECT,
                                   related_name="delegations")
    item_codes = models.JSONField("委托事项")
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期")
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.CharField("签发人", max_length=150)
    payload = models.JSONField("签名内容")
    signature = models.TextField("签名")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revocation_reason = models.CharField("撤销理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批委托"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.delegation_id} → {self.department}"
