"""Django admin for the working-day calendar: read-only lists.

Days change only through `tongban calendar import` (actions.do_import_year_file), which replaces a
year as a unit and bumps the generation that every process's cache compares; an edit here would
bypass both. Only a year's note can be edited.
"""

from django.contrib import admin

from tongban.calendar.models import CalendarYear, SpecialDay


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at", "generation", "day_count", "note"]
    list_filter = ["source"]
    fields = ["year", "source", "loaded_at", "generation", "note"]
    readonly_fields = ["year", "source", "loaded_at", "generation"]

    @admin.display(description="特殊日期数")
    def day_count(self, obj: CalendarYear) -> int:
        return obj.days.count()


@admin.register(SpecialDay)
class SpecialDayAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "year"]
    list_filter = ["year", "kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_per_page = 100

    @admin.display(description="星期")
    def weekday(self, obj: SpecialDay) -> str:
        return "星期" + "一二三四五六日"[obj.date.weekday()]

    def has_change_permission(self, request, obj=None):
        return False
