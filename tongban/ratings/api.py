"""好差评 API (filled in with the ratings pages)."""

from ninja import Router

router = Router(tags=["好差评"])
