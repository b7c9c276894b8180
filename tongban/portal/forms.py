"""The residents' forms: they check that something was typed; the rules are in accounts.citizens."""

from __future__ import annotations

from typing import Any

from django import forms

from tongban.catalog.models import Region

MOBILE = {"autocomplete": "tel", "inputmode": "numeric", "maxlength": "11"}
CODE = {"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20, widget=forms.TextInput(attrs=MOBILE))


class RegistrationForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=6, widget=forms.TextInput(attrs=CODE))
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label="身份证号", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    region = forms.ChoiceField(label="所在地区")
    password1 = forms.CharField(label="设置密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少 8 位，不能全是数字，不能与姓名、手机号相近")
    password2 = forms.CharField(label="再次输入密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data and data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class PasswordLoginForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=150, widget=forms.TextInput(attrs=MOBILE))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeLoginForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=6, widget=forms.TextInput(attrs=CODE))


class EnterpriseForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(label="企业名称", max_length=100)
    legal_representative_id = forms.CharField(label="法定代表人身份证号", max_length=18,
                                              widget=forms.TextInput(attrs={"autocomplete": "off"}))


# error code → the field its message belongs on (the rest go on top of the form)
FIELD_OF_CODE = {
    "accounts.code_missing": "code", "accounts.code_dead": "code", "accounts.code_expired": "code",
    "accounts.code_wrong": "code", "accounts.name_missing": "name", "accounts.id_number_taken": "id_number",
    "accounts.region_not_served": "region", "accounts.password_weak": "password1",
    "accounts.enterprise_name_missing": "name", "accounts.enterprise_taken": "credit_code",
    "accounts.not_legal_representative": "legal_representative_id",
}


def field_of(code: str) -> str | None:
    if code.startswith("identity.credit_code"):
        return "credit_code"
    if code.startswith("identity.id"):
        return "id_number"
    return FIELD_OF_CODE.get(code)
