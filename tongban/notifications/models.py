"""Notifications (通知): one outbox of SMS and 站内信 (in-site messages), and the demo gateway's log.

A row is written by `notifications.actions.do_notify` in the same transaction as the change that
causes it (like the federation outbox), so a message exists if and only if the change committed.
`event` is the idempotency key: one event gives at most one SMS and one 站内信, whoever calls twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    INBOX = "inbox", "站内信"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（重试中）"


class Notification(models.Model):
    event = models.CharField("事件", max_length=150, help_text="幂等键：同一事件同一渠道只发一次")
    channel = models.CharField("渠道", max_length=5, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收件账号", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="notifications")
    phone = models.CharField("手机号", max_length=11, blank=True)
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True, help_text="站内信与短信中的链接（本节点地址）")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="notification_once_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.event}"


class DemoSms(models.Model):
    """What the demo gateway 'sent': read by /dev/sms/ (DEBUG only) and by the tests (testsupport/sms.py).

    The demo gateway gets what a real one gets, a phone and a text, so `notification` stays empty; the
    row is written in the transaction that marks its notification sent (notifications.actions).
    """

    notification = models.OneToOneField(Notification, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="demo_sms")
    phone = models.CharField("手机号", max_length=11, db_index=True)
    text = models.TextField("内容")
    sent_at = models.DateTimeField("发送时间")

    class Meta:
        verbose_name = verbose_name_plural = "演示短信"
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone} {self.text[:20]}"
