"""Typed request and user aliases, so that views and actions say what they receive.

- `Actor` is what an action receives as `user`: whoever made the request, signed in or not. Every
  action checks it itself (a profile, a role, a region), so an anonymous actor is a refusal, not a crash.
- `AuthedRequest` is the request of a view behind `@login_required`: its `user` is a `User`.
- `AnyRequest` is the request of a public page (the resident's side): its `user` may be anonymous.

The project uses Django's own `User` (no custom AUTH_USER_MODEL); if that ever changes, change it here.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

Actor: TypeAlias = User | AnonymousUser


class AuthedRequest(HttpRequest):
    """A request behind `@login_required`."""

    user: User


class AnyRequest(HttpRequest):
    """A request of a public page."""

    user: User | AnonymousUser


__all__ = ["Actor", "AnonymousUser", "AnyRequest", "AuthedRequest", "User"]
