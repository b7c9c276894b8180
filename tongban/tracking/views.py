"""The public progress pages (no login): /progress/ for a case, /hotline/progress/ for a complaint.

Thin: the form checks shapes, `tracking.actions` finds, compares, rate-limits and audits. A refusal is
shown on the form with its status (404 for the one mismatch answer, 429 when rate-limited). The lookup
is a POST so that names and phone digits never end up in access logs or the browser history;
`?number=` (the QR code on the receipt leads to /progress/?number=<n>) only prefills the number.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render

from tongban.core import ratelimit
from tongban.core.errors import TongbanError
from tongban.core.typing import AnyRequest
from tongban.tracking import actions
from tongban.tracking.forms import CaseLookupForm, ComplaintLookupForm


def _lookup(request: AnyRequest, form_class: type[CaseLookupForm] | type[ComplaintLookupForm],
            check: Callable[[str, str, str], object], template: str) -> HttpResponse:
    """The form (the number prefilled from ?number=), then one action call; a refusal is the form's error."""
    initial = {"number": actions.normalise_number(request.GET.get("number", ""))}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            number, who = form.cleaned_data["number"], form.cleaned_data[form.secret_field]
            try:
                result = check(number, who, ratelimit.client_address(request))
            except TongbanError as exc:
                form.add_error(None, str(exc))
                status = exc.status
        else:
            status = 422
    return render(request, template, {"form": form, "result": result}, status=status)


def progress(request: AnyRequest) -> HttpResponse:
    """办件进度查询."""
    return _lookup(request, CaseLookupForm, lambda number, who, client: actions.check_case_progress(
        number, who, client=client), "tracking/progress.html")


def hotline_progress(request: AnyRequest) -> HttpResponse:
    """诉求进度查询 (接诉即办)."""
    return _lookup(request, ComplaintLookupForm, lambda number, digits, client: actions.check_complaint_progress(
        number, digits, client=client), "tracking/hotline_progress.html")
