"""Booking and cancelling a visit (预约办理): every check and every write of the appointments app.

- `check_book` / `do_book`: a citizen (实名账号) books one place at a centre this node serves, for an
  item received at the 区域通办专窗, on a bookable working day, in a slot with a place left. The number
  is `YY` + the booking's date + the year's sequence (`core.numbering`, series `appointment`). The SMS
  and the 站内信 are queued in the same transaction (`notifications.do_notify`, event
  `appointment:<number>`); the audit entry is `appointment.book`.
- `do_cancel`: the citizen cancels before the day starts (a compare-and-set step of the state table,
  audit `appointment.cancel`, SMS event `appointment-cancel:<number>`).
- `check_centre_view`: who may see a centre's bookings for a day (its window officers; the region's
  administrators).

Error codes (all `appointment.*`): citizens_only, unknown_item, no_window, centre_not_bookable,
day_past, not_workday, too_far, unknown_slot, slot_full, already_booked, not_yours, too_late,
bad_transition, conflict, not_allowed; and `calendar.year_not_loaded` for a day of a year not loaded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.citizens import check_resident
from tongban.accounts.models import Citizen, Role, profile_of
from tongban.appointments.models import Appointment, State
from tongban.appointments.slots import (
    AppointmentError,
    bookable_centres,
    capacity,
    check_day,
    slot_label,
    slots_left,
)
from tongban.audit.actions import do_append
from tongban.audit.masking import mask_text
from tongban.catalog.models import Item, ServiceCentre
from tongban.core import clock
from tongban.core.errors import Conflict, NotAllowed
from tongban.core.numbering import next_number
from tongban.core.transitions import StateMachine, Step
from tongban.core.typing import Actor
from tongban.notifications.actions import do_notify
from tongban.notifications.texts import mobile, public_url, sms_text

__all__ = ["AppointmentError", "Booking", "check_book", "check_centre_view", "check_citizen", "do_book", "do_cancel",
           "region_centres"]

STEPS = {"cancel": Step(frozenset({State.BOOKED}), State.CANCELLED, "取消预约")}
MACHINE = StateMachine(Appointment, STEPS, area="appointment", noun=lambda a: f"预约 {a.number}",
                       subject=lambda a: f"appointment:{a.number}")


@dataclass(frozen=True)
class Booking:
    """What the citizen chose on the booking page."""

    item_code: str
    centre_id: int
    day: datetime.date
    slot: str


def check_citizen(user: Actor) -> Citizen:
    """The booking citizen (`accounts.citizens.check_resident`); its refusal keeps this app's code
    (appointment.citizens_only) and message."""
    try:
        return check_resident(user)
    except NotAllowed:
        raise NotAllowed("预约办理需要使用实名账号（个人）登录", code="appointment.citizens_only") from None


def _tell(citizen: Citizen, event: str, body: str) -> None:
    """SMS and 站内信 to the citizen, linking to their bookings (absolute, on this node's address)."""
    link = public_url(reverse("appointments:mine"))
    do_notify(event=event, phone=mobile(citizen.phone), user=citizen.user, link=link,
              text=sms_text(mask_text(body), link))


def check_book(user: Actor, booking: Booking) -> tuple[Citizen, Item, ServiceCentre]:
    """Everything but the free place and the one-per-day rule (those are decided while writing)."""
    citizen = check_citizen(user)
    item = Item.objects.filter(code=booking.item_code).first()
    if item is None:
        raise AppointmentError("没有这个事项", code="appointment.unknown_item")
    if not item.via_window:
        raise AppointmentError("本事项不在区域通办专窗受理，无需预约", code="appointment.no_window")
    centre = bookable_centres().filter(pk=booking.centre_id).first()
    if centre is None:
        raise AppointmentError("所选服务中心不能在本平台预约", code="appointment.centre_not_bookable")
    check_day(booking.day)
    if booking.slot not in {s.start for s in slots_left(centre, booking.day)}:
        raise AppointmentError("没有这个时段", code="appointment.unknown_slot")
    return citizen, item, centre


def do_book(user: Actor, booking: Booking) -> Appointment:
    """Book the lowest free seat of the slot. Locks: the `appointment` counter of the year (numbering);
    the seat is decided by the partial unique constraint — a lost race tries the next seat, and when none
    is left the booking is refused (`appointment.slot_full`)."""
    citizen, item, centre = check_book(user, booking)
    at = clock.now()
    with transaction.atomic():
        if Appointment.objects.filter(citizen=citizen, item=item, day=booking.day, state=State.BOOKED).exists():
            raise Conflict("您已预约过当天的这个事项，如需改时间请先取消原预约", code="appointment.already_booked")
        local = timezone.localdate(at)
        number = f"YY{local:%Y%m%d}{next_number('appointment', local.year):05d}"
        appointment = _take_seat(Appointment(number=number, citizen=citizen, item=item, centre=centre,
                                             day=booking.day, slot=booking.slot, created_at=at))
        when = f"{booking.day:%Y年%m月%d日} {slot_label(booking.slot)}"
        _tell(citizen, f"appointment:{number}",
              f"预约成功：{when}到{centre.name}（{centre.address}）办理“{item.name}”，"
              f"预约号 {number}。请携带身份证件和申请材料按时到达，不能前往请提前取消。")
        do_append(at=at, actor=user.get_username(), action="appointment.book", subject=f"appointment:{number}",
                  data={"item": item.code, "centre": centre.name, "day": booking.day, "slot": booking.slot,
                        "seat": appointment.seat})
    return appointment


def _take_seat(appointment: Appointment) -> Appointment:
    taken = set(Appointment.objects.filter(centre=appointment.centre, day=appointment.day, slot=appointment.slot,
                                           state=State.BOOKED).values_list("seat", flat=True))
    for seat in range(1, capacity() + 1):
        if seat in taken:
            continue
        appointment.seat = seat
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                appointment.save(force_insert=True)
            return appointment
        except IntegrityError:
            # someone took this seat meanwhile — or this citizen booked the item for the day in another tab
            if Appointment.objects.filter(citizen=appointment.citizen, item=appointment.item, day=appointment.day,
                                          state=State.BOOKED).exists():
                raise Conflict("您已预约过当天的这个事项", code="appointment.already_booked") from None
            appointment.pk = None
    raise Conflict("该时段已约满，请选择其他时段", code="appointment.slot_full")


def do_cancel(user: Actor, appointment: Appointment) -> Appointment:
    """The citizen cancels a booking before its day starts. Locks: none before the conditional UPDATE."""
    citizen = check_citizen(user)
    if appointment.citizen_id != citizen.pk:
        raise NotAllowed("只能取消本人的预约", code="appointment.not_yours")
    if clock.today() >= appointment.day:
        raise AppointmentError("预约当天及以后不能在网上取消，请联系服务中心", code="appointment.too_late")
    when = f"{appointment.day:%Y年%m月%d日} {slot_label(appointment.slot)}"

    def after(fresh: Appointment) -> None:
        _tell(citizen, f"appointment-cancel:{fresh.number}",
              f"您预约的{when}{fresh.centre.name}“{fresh.item.name}”（预约号 {fresh.number}）已取消。")

    return MACHINE.apply(appointment, "cancel", actor=user.get_username(), changes={"cancelled_at": clock.now()},
                         after=after)


def check_centre_view(user: Actor, centre: ServiceCentre | None) -> ServiceCentre:
    """The centre whose bookings `user` may see: a window officer's own; any centre of an administrator's
    region (`centre` chosen on the page, else the first)."""
    profile = profile_of(user)
    if profile is not None and profile.role == Role.WINDOW and profile.centre is not None:
        return profile.centre
    if profile is not None and profile.role == Role.ADMIN:
        mine = region_centres(profile.region_id)
        chosen = mine.filter(pk=centre.pk).first() if centre is not None else mine.first()
        if chosen is not None:
            return chosen
    raise NotAllowed("只有服务中心窗口人员和本区域管理员可以查看预约", code="appointment.not_allowed")


def region_centres(region_id: int) -> QuerySet[ServiceCentre]:
    """The service centres of a region and its children (an administrator's), by name."""
    return ServiceCentre.objects.filter(Q(region_id=region_id) | Q(region__parent_id=region_id)).order_by("name")
