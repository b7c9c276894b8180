"""The staff login form: Django's, refusing residents' accounts (they log in by phone on /login/)."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from tongban.accounts.models import citizen_of


class StaffAuthenticationForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if citizen_of(user) is not None:
            raise ValidationError("这是办事人（实名）账号，请在“办事人登录”页用手机号登录。", code="citizen_account")
