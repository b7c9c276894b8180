"""Forms of the hotline pages. Validation of the business rules stays in actions.py; these check shapes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms

from tongban.catalog.models import Region
from tongban.hotline.actions import MAX_TEXT
from tongban.hotline.models import Category, Satisfaction, Unit


class IntakeForm(forms.Form):
    """话务员登记 (and the public web form without the operator's fields)."""

    caller_name = forms.CharField(label="来电人", max_length=50, required=False)
    caller_phone = forms.CharField(label="联系电话", max_length=20, required=False,
                                   help_text="保存后只显示为 138****5678")
    street = forms.ModelChoiceField(label="所在街乡镇", queryset=Unit.objects.none(), required=False,
                                    empty_label="（不确定）")
    address = forms.CharField(label="地点", max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder": "小区、道路、门牌号"}))
    text = forms.CharField(label="诉求内容", max_length=MAX_TEXT, min_length=5,
                           widget=forms.Textarea(attrs={"rows": 5}))
    intake_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # a fresh form gets a one-time token; a redisplayed one keeps its own
            self.initial["intake_key"] = uuid.uuid4().hex
        if region is not None:
            street = self.fields["street"]
            assert isinstance(street, forms.ModelChoiceField)
            street.queryset = Unit.objects.filter(region=region, kind=Unit.Kind.STREET, active=True)

    def clean_intake_key(self) -> str:
        key = self.cleaned_data["intake_key"]
        return f"form:{key}" if key else ""


class DispatchForm(forms.Form):
    category = forms.ModelChoiceField(label="诉求分类", queryset=Category.objects.filter(active=True))
    unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.none(), required=False,
                                  empty_label="（按分类默认单位）")
    suggestions = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)  # JSON
    model_version = forms.IntegerField(required=False, min_value=1, max_value=10**9, widget=forms.HiddenInput)

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if region is not None:
            unit = self.fields["unit"]
            assert isinstance(unit, forms.ModelChoiceField)
            unit.queryset = Unit.objects.filter(region=region, active=True)

    def clean_suggestions(self) -> list[dict]:
        """What the page says the model suggested: at most three {category, confidence, unit}; else none."""
        try:
            value = json.loads(self.cleaned_data["suggestions"] or "[]")
        except ValueError:
            return []
        if not isinstance(value, list):
            return []
        out = []
        for s in value[:3]:
            if not (isinstance(s, dict) and isinstance(s.get("category"), str)):
                return []
            confidence = s.get("confidence")
            out.append({"category": s["category"][:50], "unit": str(s.get("unit") or "")[:100],
                        "confidence": float(confidence) if isinstance(confidence, int | float) else 0.0})
        return out


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    solved = forms.TypedChoiceField(label="是否解决", choices=[("yes", "已解决"), ("no", "未解决")],
                                    coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label="是否满意", choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="回访记录", max_length=500, required=False)


class MonthForm(forms.Form):
    month = forms.DateField(label="月份", input_formats=["%Y-%m"], required=False,
                            widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))

    def clean_month(self):
        day = self.cleaned_data["month"]
        if day is not None and not 2000 <= day.year <= 2100:
            raise forms.ValidationError("月份应在 2000 年到 2100 年之间。")
        return day
