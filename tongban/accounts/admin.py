from django.contrib import admin

from tongban.accounts.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "centre", "department", "channel"]
    list_filter = ["role", "region"]
    autocomplete_fields = ["department"]
