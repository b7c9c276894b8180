"""Hotline configuration in the admin: units, categories with their time limits, the category→unit map,
staff roles and the 三率 weights. Complaints and models are read-only here (they change through actions)."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.hotline.models import (
    Category,
    Complaint,
    DispatchModel,
    HotlineRole,
    Responsibility,
    TimeLimit,
    Unit,
    Weights,
)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "active")
    list_filter = ("region", "kind", "active")
    search_fields = ("name",)


class TimeLimitInline(admin.TabularInline):
    model = TimeLimit
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "active")
    inlines = [TimeLimitInline]
    search_fields = ("name",)


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ("region", "category", "unit")
    list_filter = ("region",)


@admin.register(HotlineRole)
class HotlineRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "unit")
    list_filter = ("role", "region")


@admin.register(Weights)
class WeightsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "changed_at")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("number", "region", "state", "category", "unit", "received_at")
    list_filter = ("region", "state")
    search_fields = ("number",)
    exclude = ("caller_phone",)


@admin.register(DispatchModel)
class DispatchModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "trained_at", "n_samples", "n_feedback", "active")
    exclude = ("blob",)
