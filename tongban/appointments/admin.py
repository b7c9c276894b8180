from django.contrib import admin

from tongban.appointments.models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: bookings change only through `appointments.actions` (audited, with an SMS)."""

    list_display = ["number", "day", "slot", "centre", "item", "state"]
    list_filter = ["state", "centre"]
    search_fields = ["number"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
