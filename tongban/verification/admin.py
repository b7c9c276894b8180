"""Read-only: documents are issued by verification.actions and revoked from their verify page."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.verification.models import ResultDocument


@admin.register(ResultDocument)
class ResultDocumentAdmin(ReadOnlyAdmin):
    list_display = ("doc_id", "case", "kind", "issued_at", "revoked_at")
    list_filter = ("kind", "issuer")
    search_fields = ("doc_id", "case__number")
    readonly_fields = [f.name for f in ResultDocument._meta.fields]
