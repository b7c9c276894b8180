"""Dashboard pages: the joint meeting's figures as a page with charts, and as CSV. Thin: filters + figures."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from tongban.cases.clock import Status
from tongban.core import clock
from tongban.core.typing import AnyRequest
from tongban.dashboard import figures as fig
from tongban.dashboard.access import Viewer, viewer
from tongban.ratings.models import Level

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# How each series is drawn by static/dashboard/charts.js.
CHART_KINDS = {"receiving": "bar", "competent": "bar", "cross": "donut", "modes": "bar", "channels": "bar",
               "items": "hbar", "open": "donut", "decided": "donut", "levels": "bar", "rectifications": "bar"}
BAR_COLOUR = "#2f6db5"
# Colours that carry meaning (green good, amber warning, red bad), by label.
COLOURS = {
    Status.RUNNING: "#2e7d32", Status.WARNING: "#e69b00", Status.OVERDUE: "#c62828", Status.PAUSED: "#8a94a6",
    Status.NOT_STARTED: "#90b4e0", Status.NO_LIMIT: "#b0bec5", Status.UNKNOWN: "#6d4c41",
    Status.ON_TIME: "#2e7d32", Status.LATE: "#c62828",
    "跨区域办件": "#b3261e", "本地办件": "#2f6db5",
    Level.VERY_SATISFIED.label: "#1b7f3b", Level.SATISFIED.label: "#4f9d5d", Level.BASICALLY_SATISFIED.label: "#9cbf5a",
    Level.DISSATISFIED.label: "#ee8a2b", Level.VERY_DISSATISFIED.label: "#c62828",
    "未办结": "#e69b00", "其中超期": "#c62828", "已复核办结": "#2e7d32", "申诉成立，不予整改": "#8a94a6",
}


class _FilterForm(forms.Form):
    region = forms.ChoiceField(label="地区", required=False)
    field_order = ["from", "to", "region"]

    def __init__(self, data, *, viewer: Viewer, today: datetime.date):
        super().__init__(data)
        self.viewer = viewer
        self.default = fig.Scope.this_year(today, viewer.locked_region)
        self.fields["from"].initial, self.fields["to"].initial = self.default.start, self.default.end
        regions = viewer.regions()
        self.regions = {region.code: region for region in regions}
        choices = [(region.code, region.name) for region in regions]
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = choices if viewer.locked_region else [("", "两地全部"), *choices]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    def scope(self) -> fig.Scope:
        """The scope asked for; the default (this calendar year, both regions) where input is missing or bad."""
        default = self.default
        if not self.is_bound or not self.is_valid():
            return default
        region = self.viewer.locked_region or self.regions.get(self.cleaned_data["region"])
        return fig.Scope(self.cleaned_data["from"] or default.start, self.cleaned_data["to"] or default.end, region)


# `from` is a Python keyword, so the date fields are added by name.
FilterForm = type("FilterForm", (_FilterForm,), {
    "from": forms.DateField(label="收件日期自", required=False, widget=DATE_INPUT),
    "to": forms.DateField(label="至", required=False, widget=DATE_INPUT),
})


def _figures(request: AnyRequest) -> tuple[fig.Figures, forms.Form] | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    who = viewer(request.user)
    if not who.allowed:
        raise PermissionDenied("联席会议看板仅供工作人员查看")
    today = clock.today()  # the one clock: the date the case pages use too
    form = FilterForm(request.GET or None, viewer=who, today=today)
    return fig.compute(form.scope(), today), form


def index(request: AnyRequest) -> HttpResponse:
    result = _figures(request)
    if isinstance(result, HttpResponse):
        return result
    figures, form = result
    charts = {key: {"kind": CHART_KINDS[key], "title": series.title,
                    "labels": [label for label, _ in series.rows], "values": [n for _, n in series.rows],
                    "colours": [COLOURS.get(label, BAR_COLOUR) for label, _ in series.rows]}
              for key, series in figures.series.items()}
    return render(request, "dashboard/index.html", {
        "figures": figures, "series": figures.series, "form": form, "charts": charts,
        "export_query": request.GET.urlencode(),
    })


def export_csv(request: AnyRequest) -> HttpResponse:
    result = _figures(request)
    if isinstance(result, HttpResponse):
        return result
    figures, _ = result
    scope = figures.scope
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tongban-dashboard-{scope.start}-{scope.end}.csv"'
    response.write("\ufeff")  # BOM: spreadsheet programs then read the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(["分组", "项目", "数值"])
    writer.writerow(["统计范围", "收件日期", f"{scope.start} 至 {scope.end}"])
    writer.writerow(["统计范围", "地区", scope.region.name if scope.region else "两地全部"])
    writer.writerow(["统计范围", "计时截至", str(figures.today)])
    writer.writerows(fig.table(figures))
    return response
