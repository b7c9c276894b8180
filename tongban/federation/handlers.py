"""Which message kinds this node applies, and how: the inbox's registry.

An app that sends a kind of message registers the handler that applies it at the receiving end,
explicitly, from its AppConfig.ready() (no signals):

    handlers.register("result.revoke", apply_revocation_notice)

A handler is called as `handler(sender, body)` inside the inbox's savepoint, after the envelope was
verified and the message is next in the sender's sequence. It returns the receipt's reason ("" or
None when applied) or raises a `TongbanError` to refuse the body: the savepoint is rolled back and
the message is recorded as rejected with the error's text as the reason. A kind nobody registered
is rejected the same way (`federation.unknown_kind`).

Registering is the direction apps depend on federation (verification → federation), never the
other way round. This module imports nothing of Django, so any app can register without cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Handler = Callable[[str, dict], "str | None"]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    # for a kind about one case: where its body names the case, which must be the envelope's `case`
    case_of: Callable[[dict], object] | None = None


_registry: dict[str, Registration] = {}


def register(kind: str, handler: Handler, *, case_of: Callable[[dict], object] | None = None) -> None:
    """Let the inbox apply `kind` with `handler`. Registering the same handler again is a no-op."""
    known = _registry.get(kind)
    if known is not None and known.handler is not handler:
        raise ValueError(f"message kind {kind!r} is already handled by {known.handler!r}")
    _registry[kind] = Registration(handler, case_of)


def registration(kind: str) -> Registration | None:
    """The registration of `kind`, or None if this node does not apply it."""
    return _registry.get(kind)


def kinds() -> list[str]:
    """Every kind this node applies (sorted), e.g. for the status page and the docs' check."""
    return sorted(_registry)
