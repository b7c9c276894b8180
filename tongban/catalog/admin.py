"""Django admin for catalogue maintenance. Every save is versioned through catalog.actions
(items) or catalog.vocabulary (the search vocabulary)."""

from django import forms
from django.contrib import admin

from tongban.catalog import vocabulary
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
    Synonym,
    SynonymVersion,
)
from tongban.core.admin import ReadOnlyAdmin


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
                             "visits", "standard_version"]}),
        ("通办模式与渠道", {"fields": ["mode_online", "mode_proxy", "mode_joint", "via_window", "via_terminal",
                                "via_mobile", "via_bank"]}),
        ("版本", {"fields": ["version", "updated_at"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The item and its inlines are saved: record the version once, here (the search index follows it).
        do_record_change(form.instance, source="admin", changed_by=request.user.get_username(),
                         note="后台修改" if change else "后台新增")


class SynonymForm(forms.ModelForm):
    """Shows the rules of `vocabulary.clean` on the form's fields; the save itself is do_save_synonym."""

    class Meta:
        model = Synonym
        fields = ["word", "terms", "note", "enabled"]

    def clean(self):
        data = super().clean() or {}
        word = data.get("word", self.instance.word)  # the word is read-only once saved
        if word is None or data.get("terms") is None:
            return data  # a required field is missing: the field already says so
        entry, problems = vocabulary.problems(word, data["terms"], data.get("note", ""))
        for problem in problems:
            column = problem.column if problem.column in self.fields else None
            self.add_error(column, problem.message)
        if "word" in self.fields:
            data["word"] = entry.word  # normalised, so the unique check sees what will be stored
        return data


class SynonymVersionInline(admin.TabularInline):
    model = SynonymVersion
    extra = 0
    fields = readonly_fields = ("version", "terms", "enabled", "note", "source", "changed_by", "changed_at")
    can_delete = False
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Add and change need catalog.add_synonym / catalog.change_synonym. No deleting: a word that is
    no longer wanted is disabled, so its history stays."""

    form = SynonymForm
    list_display = ["word", "terms", "enabled", "updated_at", "updated_by"]
    list_filter = ["enabled"]
    search_fields = ["word", "terms", "note"]
    inlines = [SynonymVersionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["updated_at", "updated_by"] + (["word"] if obj is not None else [])

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = vocabulary.do_save_synonym(obj.word, obj.terms, note=obj.note, enabled=obj.enabled,
                                           source=SynonymVersion.Source.ADMIN,
                                           changed_by=request.user.get_username())
        for f in Synonym._meta.concrete_fields:  # the admin goes on with obj (message, redirect, log)
            setattr(obj, f.attname, getattr(saved, f.attname))


@admin.register(SynonymVersion)
class SynonymVersionAdmin(ReadOnlyAdmin):
    """The vocabulary's history, read only."""

    list_display = ["word", "version", "terms", "enabled", "source", "changed_by", "changed_at"]
    list_filter = ["source", "enabled"]
    search_fields = ["word", "terms", "changed_by"]
