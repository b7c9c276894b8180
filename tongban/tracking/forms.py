"""The two lookup forms. They check shapes only; whether the number and the name match is the action's."""

from __future__ import annotations

from django import forms

from tongban.tracking.actions import NUMBER_MAX


class CaseLookupForm(forms.Form):
    secret_field = "who"  # what proves the asker knows the applicant
    number = forms.CharField(label="办件编号", max_length=NUMBER_MAX,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "如 TB20260000123",
                                                           "autocapitalize": "characters"}))
    who = forms.CharField(label="申请人姓名或手机号后四位", max_length=50,
                          help_text="填写申请人姓名，或申请时所留手机号的后四位",
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ComplaintLookupForm(forms.Form):
    secret_field = "digits"
    number = forms.CharField(label="诉求编号", max_length=NUMBER_MAX,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "如 TBRX2026000001",
                                                           "autocapitalize": "characters"}))
    digits = forms.RegexField(label="手机号后四位", regex=r"^[0-9]{4}$", max_length=4,
                              error_messages={"invalid": "请输入 4 位数字"},
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
