"""`PhoneBackend`: a resident logs in with the phone of their real-name account and their password.

Listed in AUTHENTICATION_BACKENDS after Django's ModelBackend (staff, by username). It answers only a
call with `phone=` (the residents' login page), so the staff login form never reaches it; it never
returns a staff user. Login by SMS code is `accounts.citizens.do_login_with_code`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tongban.accounts.models import Citizen, profile_of
from tongban.core.typing import User


class PhoneBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     phone: str | None = None, **kwargs: Any) -> User | None:
        if phone is None or password is None:
            return None
        citizen = Citizen.objects.select_related("user").filter(phone=phone).first()
        if citizen is None:
            get_user_model()().set_password(password)  # the same work as a real check: no timing hint
            return None
        user = citizen.user
        if user.check_password(password) and self.user_can_authenticate(user) and profile_of(user) is None:
            return user
        return None
