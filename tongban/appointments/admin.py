from django.contrib import admin

from tongban.appointments.models import Appointment
from tongban.core.admin import ReadOnlyAdmin


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    """Read-only: bookings change only through `appointments.actions` (audited, with an SMS)."""

    list_display = ["number", "day", "slot", "centre", "item", "state"]
    list_filter = ["state", "centre"]
    search_fields = ["number"]
    date_hierarchy = "day"
