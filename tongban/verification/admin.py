"""Read-only: documents are issued by verification.actions and revoked from their verify page."""

from django.contrib import admin

from tongban.verification.models import ResultDocument


@admin.register(ResultDocument)
class ResultDocumentAdmin(admin.ModelAdmin):
    list_display = ("doc_id", "case", "kind", "issued_at", "revoked_at")
    list_filter = ("kind", "issuer")
    search_fields = ("doc_id", "case__number")
    readonly_fields = [f.name for f in ResultDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
