"""Read-only admin for the audit trail: entries can be viewed and searched, never added, changed or deleted."""

from django.contrib import admin

from tongban.audit.models import AuditEntry
from tongban.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "action", "subject"]
    list_filter = ["action"]
    search_fields = ["subject", "actor", "action"]
    ordering = ["-seq"]
    fields = readonly_fields = ("seq", "at", "actor", "action", "subject", "data", "prev_hash", "hash")
