"""Who may log in how: `StaffBackend` (username, the staff page) and `PhoneBackend` (phone, residents).

`AUTHENTICATION_BACKENDS` lists `StaffBackend` first, then `PhoneBackend` (docs/citizens.md):

- `StaffBackend` is Django's `ModelBackend` that never authenticates a user who has a `Citizen`: a
  resident's internal username ("c" + phone) with the right password is answered exactly like a wrong
  password (the same password check, then None), so the staff page is no oracle for residents' accounts.
- `PhoneBackend` answers only a call with `phone=` (the residents' login page) and never returns a staff
  user. Login by SMS code is `accounts.citizens.do_login_with_code`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tongban.accounts.models import Citizen, citizen_of, profile_of
from tongban.core.typing import User


class StaffBackend(ModelBackend):
    """Username and password, for staff and accounts without a `Citizen` (never a resident)."""

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and citizen_of(user) is None

    def get_user(self, user_id: Any) -> Any:
        """The session's user (active): a session names who is logged in, `authenticate` decided how.
        (A resident's session is `PhoneBackend`'s; a test's `force_login` takes the first backend.)"""
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and ModelBackend.user_can_authenticate(self, user) else None


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
