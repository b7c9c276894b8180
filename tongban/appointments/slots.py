"""What may be booked: the centres this node serves, the days (working days, tomorrow … 10 working days
ahead) and the time slots with their places left.

Decisions:
- Centres: those with a 区域通办专窗 whose region this node serves. The appointments app sits below the
  federation app, so it asks the case port (`cases.ports.federation().elsewhere(region)`): a region
  served by another node of the federation is not bookable here — that node's window officers would
  never see the booking. A node without peers serves every region, so every centre is bookable.
- Days come from the official calendar (`tongban.calendar`): a day of a year that is not loaded is
  refused (`calendar.year_not_loaded`), never guessed; the list of days offered stops at the last
  loaded year.
- Slots and capacity are settings, the same for every centre: `TONGBAN_APPOINTMENT_SLOTS` (start times
  of one-hour slots, lunch hour left out) and `TONGBAN_APPOINTMENT_CAPACITY` (places per slot per centre).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from tongban.appointments.models import Appointment, State
from tongban.calendar.actions import YearNotLoaded, is_workday, workdays_between
from tongban.cases.ports import federation
from tongban.catalog.models import ChannelKind, ServiceCentre
from tongban.core import clock
from tongban.core.errors import Invalid


class AppointmentError(Invalid):
    """A booking or cancellation was refused; `code` says why (appointment.*)."""

    code = "appointment.invalid"


HORIZON_WORKDAYS = 10  # bookable: from tomorrow up to this many working days ahead
DEFAULT_SLOTS = ("09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00")
DEFAULT_CAPACITY = 3


def slot_starts() -> tuple[str, ...]:
    return tuple(getattr(settings, "TONGBAN_APPOINTMENT_SLOTS", DEFAULT_SLOTS))


def capacity() -> int:
    return int(getattr(settings, "TONGBAN_APPOINTMENT_CAPACITY", DEFAULT_CAPACITY))


def slot_label(start: str) -> str:
    """"09:00" → "09:00–10:00" (one-hour slots)."""
    hour, minute = start.split(":")
    return f"{start}–{int(hour) + 1:02d}:{minute}"


def bookable_centres() -> QuerySet[ServiceCentre]:
    """Centres with a 区域通办专窗 in a region this node serves (see the module's docstring)."""
    port = federation()
    centres = ServiceCentre.objects.filter(channels__kind=ChannelKind.WINDOW).select_related("region").distinct()
    ids = [c.pk for c in centres if port.elsewhere(c.region) is None]
    return ServiceCentre.objects.filter(pk__in=ids).select_related("region").order_by("region__code", "name")


def bookable_days(today: datetime.date | None = None) -> list[datetime.date]:
    """Working days from tomorrow up to HORIZON_WORKDAYS ahead; stops at the end of the loaded years."""
    today = today or clock.today()
    days: list[datetime.date] = []
    day = today
    try:
        while len(days) < HORIZON_WORKDAYS:
            day += datetime.timedelta(days=1)
            if is_workday(day):
                days.append(day)
    except YearNotLoaded:
        pass
    return days


def check_day(day: datetime.date, today: datetime.date | None = None) -> None:
    """Refuse a day that is not a working day from tomorrow up to the horizon (YearNotLoaded for an unloaded year)."""
    today = today or clock.today()
    if day <= today:
        raise AppointmentError("只能预约明天及以后的日期", code="appointment.day_past")
    if not is_workday(day):  # raises YearNotLoaded for a year not loaded
        raise AppointmentError(f"{day:%Y-%m-%d} 不是工作日，服务中心不办公", code="appointment.not_workday")
    if workdays_between(today, day) > HORIZON_WORKDAYS:
        raise AppointmentError(f"只能预约 {HORIZON_WORKDAYS} 个工作日以内的日期", code="appointment.too_far")


@dataclass(frozen=True)
class Slot:
    start: str
    label: str
    left: int


def slots_left(centre: ServiceCentre, day: datetime.date) -> list[Slot]:
    """Every slot of the day with its places left (0 = full)."""
    taken = dict(Appointment.objects.filter(centre=centre, day=day, state=State.BOOKED)
                 .values_list("slot").annotate(n=Count("id")))
    cap = capacity()
    return [Slot(start, slot_label(start), max(cap - taken.get(start, 0), 0)) for start in slot_starts()]
