"""The staff login form (/accounts/login/): Django's, with a limit on failed tries.

Residents' accounts are refused by the backend (`accounts.backends.StaffBackend`), exactly like a wrong
password: the generic message, so this page tells nothing about which usernames are residents'. Failed
tries are counted per client address and per username (core.ratelimit, as on /login/); once either
count reaches `STAFF_LOGIN_FAILURES` the form refuses without checking the password (code
`ratelimit.exceeded`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from tongban.core import ratelimit

STAFF_LOGIN_FAILURES = ratelimit.Limit("accounts.staff_login_failures", 10, 600)  # per address and per username


class StaffAuthenticationForm(AuthenticationForm):
    def _limits(self) -> list[tuple[ratelimit.Limit, str]]:
        address = ratelimit.client_address(self.request)
        username = "".join(str(self.cleaned_data.get("username") or "").split()).casefold()
        return [(STAFF_LOGIN_FAILURES, f"address:{address}"), (STAFF_LOGIN_FAILURES, f"username:{username}")]

    def clean(self) -> dict[str, Any]:
        limits = self._limits()
        try:
            ratelimit.check(limits)
        except ratelimit.Limited:
            raise ValidationError("登录失败次数过多，请 10 分钟后再试", code=ratelimit.Limited.code) from None
        try:
            return super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login":
                ratelimit.hit(limits)
            raise
