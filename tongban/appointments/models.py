"""预约办理: a citizen's booked visit to a service centre for one item, on a working day, in a time slot.

Decisions:
- A booking holds one *seat* of its (centre, day, slot): seats are numbered 1…capacity and a partial
  unique constraint on (centre, day, slot, seat) among active bookings makes two people racing for the
  same place collide in the database, on SQLite and PostgreSQL alike; the loser tries the next free
  seat and, when none is left, is refused (`appointment.slot_full`). No counter row to keep in step.
- A second partial unique constraint keeps one active booking per citizen, item and day.
- A cancelled booking keeps its row (and number) with state `cancelled`; the constraints only count
  `booked` rows, so its seat is free again at once.
- Slots are times of day ("09:00"), not rows: the list and the capacity are settings
  (`TONGBAN_APPOINTMENT_SLOTS`, `TONGBAN_APPOINTMENT_CAPACITY`, see `appointments.slots`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tongban.accounts.models import Citizen
from tongban.catalog.models import Item, ServiceCentre


class State(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"


class Appointment(models.Model):
    number = models.CharField("预约号", max_length=20, unique=True)
    citizen = models.ForeignKey(Citizen, verbose_name="预约人", on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="appointments")
    centre = models.ForeignKey(ServiceCentre, verbose_name="服务中心", on_delete=models.PROTECT,
                               related_name="appointments")
    day = models.DateField("预约日期")
    slot = models.CharField("时段", max_length=5, help_text="开始时间，如 09:00")
    seat = models.PositiveSmallIntegerField("号位")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.BOOKED)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("预约时间")
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预约"
        ordering = ["day", "slot", "centre", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "slot", "seat"], condition=Q(state="booked"),
                                    name="appointment_one_per_seat"),
            models.UniqueConstraint(fields=["citizen", "item", "day"], condition=Q(state="booked"),
                                    name="appointment_one_per_item_day"),
        ]
        indexes = [models.Index(fields=["centre", "day"], name="appointment_centre_day_idx")]

    def __str__(self) -> str:
        return self.number
