"""Appointment pages: book a visit for an item, my bookings (cancel), a centre's bookings of a day (staff).

Thin: the checks and writes are `appointments.actions`. A visitor who is not logged in goes to the
citizens' login (`portal:login`, `?next=…`); a logged-in account without a 实名账号 is refused by the action.
The booking page works without JavaScript: choosing a centre or a day reloads the page (GET) with
the slots that still have places; only those are offered.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.accounts.models import citizen_of
from tongban.appointments.actions import Booking, check_centre_view, check_citizen, do_book, do_cancel, region_centres
from tongban.appointments.models import Appointment, State
from tongban.appointments.slots import AppointmentError, bookable_centres, bookable_days, slot_label, slots_left
from tongban.catalog.models import Item, ServiceCentre
from tongban.core import clock
from tongban.core.identity import mask_id, mask_phone
from tongban.core.typing import AnyRequest, AuthedRequest


def _to_login(request: AnyRequest) -> HttpResponse:
    """To the citizens' login page (portal), back here afterwards; staff log in at /accounts/login/."""
    return redirect_to_login(request.get_full_path(), reverse("portal:login"))


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 18 else None


def book(request: AnyRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _to_login(request)
    citizen = check_citizen(request.user)
    item = get_object_or_404(Item, code=code)
    if request.method == "POST":
        day = _date(request.POST.get("day"))
        if day is None:
            raise AppointmentError("请选择预约日期", code="appointment.no_day")
        appointment = do_book(request.user, Booking(item.code, _int(request.POST.get("centre")) or 0, day,
                                                    request.POST.get("slot", "")))
        messages.success(request, f"预约成功，预约号 {appointment.number}，短信已发送至 {mask_phone(citizen.phone)}。")
        return redirect("appointments:mine")
    centres = list(bookable_centres()) if item.via_window else []
    days = bookable_days()
    wanted = _int(request.GET.get("centre"))
    centre = next((c for c in centres if c.pk == wanted), None) or next(
        (c for c in centres if c.region_id == citizen.region_id), centres[0] if centres else None)
    day = _date(request.GET.get("day"))
    day = day if day in days else (days[0] if days else None)
    slots = [s for s in slots_left(centre, day) if s.left > 0] if centre is not None and day is not None else []
    return render(request, "appointments/book.html", {
        "item": item, "citizen": citizen, "centres": centres, "centre": centre, "days": days, "day": day,
        "slots": slots,
    })


def mine(request: AnyRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _to_login(request)
    citizen = check_citizen(request.user)
    today = clock.today()
    appointments = (Appointment.objects.filter(citizen=citizen).select_related("item", "centre")
                    .order_by("-day", "-slot"))
    rows = [{"a": a, "slot": slot_label(a.slot), "can_cancel": a.state == State.BOOKED and a.day > today}
            for a in appointments]
    return render(request, "appointments/mine.html", {"rows": rows, "citizen": citizen})


@require_POST
def cancel(request: AnyRequest, number: str) -> HttpResponse:
    citizen = citizen_of(request.user)
    appointment = get_object_or_404(Appointment, number=number, citizen=citizen) if citizen else None
    if appointment is None:
        return _to_login(request)
    do_cancel(request.user, appointment)
    messages.success(request, f"预约 {number} 已取消。")
    return redirect("appointments:mine")


@login_required
def centre_day(request: AuthedRequest) -> HttpResponse:
    wanted = _int(request.GET.get("centre"))
    centre = check_centre_view(request.user, ServiceCentre.objects.filter(pk=wanted).first() if wanted else None)
    day = _date(request.GET.get("day")) or clock.today()
    bookings = (Appointment.objects.filter(centre=centre, day=day).select_related("item", "citizen")
                .order_by("slot", "seat"))
    rows = [{"a": b, "slot": slot_label(b.slot), "id": mask_id(b.citizen.id_number),
             "phone": mask_phone(b.citizen.phone)} for b in bookings]
    profile = request.user.staff
    choices = region_centres(profile.region_id) if profile.role == "admin" else []
    return render(request, "appointments/centre.html", {
        "centre": centre, "day": day, "rows": rows, "choices": choices,
        "booked": sum(1 for b in bookings if b.state == State.BOOKED),
    })
