"""A small fixed-window counter on Django's cache, for the public pages that must not be an oracle.

The pages without a login that answer "does this number belong to this name?" (办件进度查询, the hotline's
progress page) count the *failed* tries per client address and per number, and refuse once a count
reaches its limit within the window (`Limited`, HTTP 429).

Decisions:

- Fixed windows (the counter's key holds the window's index, `now // seconds`): one `cache.add` and one
  `cache.incr` per failed try, no lists of timestamps. A client may get up to twice the limit across a
  window boundary; for "ten tries per ten minutes" that is good enough.
- Only failures count: an applicant who types their number right is never slowed down, and a guesser
  is stopped whichever of the two (address, number) they vary.
- The counters live in the `default` cache (settings `CACHES`). The per-process memory cache of the
  default settings is right for one process only: production with several gunicorn workers or hosts
  must configure a shared cache (Redis, Memcached or Django's database cache), else each worker counts
  apart and the limits are multiplied by the number of workers (docs/tracking.md).
- Keys are hashed, so any user input (a 5,000-character "number") makes a short, valid cache key.
- Time comes from `core.clock.now()`, so tests move windows with time-machine.
- The client is `client_address(request)`: `REMOTE_ADDR`. Behind a reverse proxy the proxy must pass the
  real address (docs/tracking.md); otherwise every client is the proxy and shares its counters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from tongban.core import clock
from tongban.core.errors import TongbanError


class Limited(TongbanError):
    """Too many failed tries from this address or for this number: try again later (429)."""

    status = 429
    code = "ratelimit.exceeded"


@dataclass(frozen=True)
class Limit:
    """At most `limit` counted events per `seconds` for one key of the `scope`."""

    scope: str
    limit: int
    seconds: int

    def _key(self, key: str) -> str:
        window = int(clock.now().timestamp()) // self.seconds
        digest = hashlib.sha256(f"{self.scope}\0{key}".encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{window}:{digest}"

    def count(self, key: str) -> int:
        """The number of events counted for `key` in the current window."""
        return int(cache.get(self._key(key), 0))

    def reached(self, key: str) -> bool:
        """The current window is used up for `key`."""
        return self.count(key) >= self.limit

    def hit(self, key: str) -> int:
        """Count one event for `key`; returns the new count."""
        name = self._key(key)
        cache.add(name, 0, timeout=self.seconds)
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=self.seconds)
            return 1


def check(limits: list[tuple[Limit, str]], message: str = "查询过于频繁，请稍后再试") -> None:
    """Refuse with `Limited` if any (limit, key) pair has reached its limit in the current window."""
    for limit, key in limits:
        if limit.reached(key):
            raise Limited(message)


def hit(limits: list[tuple[Limit, str]]) -> None:
    """Count one failed try for every (limit, key) pair."""
    for limit, key in limits:
        limit.hit(key)


def client_address(request: HttpRequest | None) -> str:
    """Whom a per-address limit counts: the request's `REMOTE_ADDR` ("unknown" when there is none)."""
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "unknown"
