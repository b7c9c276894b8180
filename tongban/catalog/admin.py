"""Django admin for catalogue maintenance. Every save is versioned through catalog.actions."""

from django.contrib import admin

from tongban.catalog.actions import do_record_change
from tongban.catalog.models import (
    Channel,
    Competence,
    Department,
    Item,
    ItemVersion,
    Material,
    Region,
    ServiceCentre,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "code"]
    list_filter = ["region"]
    search_fields = ["name"]


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "address"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "centre"]
    list_filter = ["kind", "region"]


class CompetenceInline(admin.TabularInline):
    model = Competence
    extra = 0
    autocomplete_fields = ["department"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


class ItemVersionInline(admin.TabularInline):
    model = ItemVersion
    extra = 0
    fields = readonly_fields = ("version", "source", "changed_by", "changed_at", "note")
    can_delete = False
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "item_class", "item_type", "legal_limit_days", "promised_limit_days", "version"]
    list_filter = ["item_class", "item_type", "mode_online", "mode_proxy", "mode_joint"]
    search_fields = ["code", "name", "keywords"]
    readonly_fields = ["version", "updated_at"]
    inlines = [CompetenceInline, MaterialInline, ItemVersionInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "item_type", "item_class", "keywords"]}),
        ("办理要求", {"fields": ["legal_basis", "conditions", "legal_limit_days", "promised_limit_days", "fee",
                             "standard_version"]}),
        ("通办模式与渠道", {"fields": ["mode_online", "mode_proxy", "mode_joint", "via_window", "via_terminal",
                                "via_mobile", "via_bank"]}),
        ("版本", {"fields": ["version", "updated_at"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The item and its inlines are saved: record the version (and reindex) once, here.
        do_record_change(form.instance, source="admin", changed_by=request.user.get_username(),
                         note="后台修改" if change else "后台新增")
