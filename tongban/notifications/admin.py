"""Notifications in the admin: read-only rows, failed sends visible, and 立即重试 for failed SMS.

The text of a code SMS (event "code:…", the residents' 短信验证码) is never shown: it is the live code
until the worker sends it (then the worker blanks the digits, actions.deliver_once)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.core.admin import ReadOnlyAdmin
from tongban.core.identity import mask_phone
from tongban.notifications.actions import do_retry_now, is_code_event
from tongban.notifications.models import Notification

CODE_TEXT_HIDDEN = "（验证码短信，内容不显示）"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "status", "masked_phone", "event", "attempts", "next_attempt_at",
                    "last_error")
    list_filter = ("status", "channel")
    search_fields = ("event", "phone")
    readonly_fields = ["shown_text" if f.name == "text" else f.name for f in Notification._meta.fields]
    fields = tuple(readonly_fields)  # the text only through `shown_text`
    actions = ["retry_now"]

    @admin.display(description="手机号")
    def masked_phone(self, obj: Notification) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description="内容")
    def shown_text(self, obj: Notification) -> str:
        return CODE_TEXT_HIDDEN if is_code_event(obj.event) else obj.text

    @admin.action(description="立即重试（发送失败的短信）")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = do_retry_now(list(queryset.values_list("pk", flat=True)))
        messages.success(request, f"{count} 条发送失败的短信将在下一轮立即重试。")
