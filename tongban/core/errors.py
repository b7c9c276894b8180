"""One error hierarchy for every refused operation.

An action refuses with one of these; the message is for the user (zh-Hans), `code` is stable for
programs and tests (``case.bad_transition``, ``hotline.text_too_short``), `status` is the HTTP status.
The API answers ``{"detail": message, "code": code}`` with `status` (tongban/api.py); pages show the
message (tongban/middleware.py, or a view that puts it on its form). Tests assert codes, not wording.

Codes are ``<area>.<what>`` in lower case; a raise without its own code gets the class's.
This module is Django-free so that every layer, the libraries included, can use it.
"""

from __future__ import annotations


class TongbanError(Exception):
    """Refused: nothing was changed. Subclasses fix the HTTP status and a default code."""

    status: int = 422
    code: str = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class Invalid(TongbanError):
    """The input is wrong or incomplete (422)."""

    status = 422
    code = "invalid"


class NotAllowed(TongbanError):
    """This user may not do this (403)."""

    status = 403
    code = "not_allowed"


class NotFound(TongbanError):
    """No such thing, or not visible to this user (404: no hint that it exists)."""

    status = 404
    code = "not_found"


class BadTransition(TongbanError):
    """The thing is in a state where this action is not possible (409)."""

    status = 409
    code = "bad_transition"


class Conflict(TongbanError):
    """Someone else changed it first, or it was already done (409); refresh and try again."""

    status = 409
    code = "conflict"


class Unavailable(TongbanError):
    """A dependency (the other node, a calendar year) is not there yet (503)."""

    status = 503
    code = "unavailable"
