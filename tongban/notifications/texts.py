"""The shape of every SMS this platform sends, shared by whoever writes one (cases, hotline, ratings …).

- starts with the signature 【通办】 and has at most `SMS_MAX` characters (one long SMS; a carrier
  splits beyond); the link goes whole at the end and the body is shortened with … to make room;
- links are absolute, on this node's public address (setting `TONGBAN_PUBLIC_URL`);
- an SMS goes to an 11-digit mobile number only (a landline in a contact field gets none).

Masking free text (a refusal reason, a reply) is the caller's job: this layer sits beside the audit
trail and does not import its masking (the callers use `tongban.audit.masking.mask_text`).
"""

from __future__ import annotations

from django.conf import settings

from tongban.core.identity import PHONE_RE, normalise_phone

SMS_MAX = 140
PREFIX = "【通办】"


def public_url(path: str) -> str:
    """An absolute link to `path` on this node's public address."""
    return f"{settings.TONGBAN_PUBLIC_URL.rstrip('/')}{path}"


def sms_text(body: str, link: str = "") -> str:
    """【通办】 + body + " " + link, at most SMS_MAX characters: the body is shortened (…), never the link."""
    tail = f" {link}" if link else ""
    room = SMS_MAX - len(PREFIX) - len(tail)
    if len(body) > room:
        body = body[:room - 1] + "…"
    return f"{PREFIX}{body}{tail}"


def short(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters (… when cut)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def mobile(phone: str) -> str:
    """The number an SMS can go to (11-digit mobile; spaces, dashes and +86 dropped), or "" (none, landline)."""
    number = normalise_phone(phone)
    for prefix in ("+86", "0086"):
        number = number.removeprefix(prefix)
    return number if PHONE_RE.fullmatch(number) else ""
