"""A logged-in browser-like HTTP session against a running Tongban (tests on real processes, benchmarks).

Standard library only, so a benchmark can use it without setting up Django.
"""

from __future__ import annotations

import json
import re
import time
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

DEMO_PASSWORD = "tongban-demo"  # tongban.demo.cases.DEMO_PASSWORD


class Session:
    """Cookie jar; logs in through the login form; X-CSRFToken and Referer on every write."""

    def __init__(self, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
        self.base, self.jar = base, CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        html = self.opener.open(base + "/accounts/login/", timeout=30).read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if found is None:
            raise RuntimeError(f"no login form at {base}/accounts/login/")
        token = found.group(1)
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
        self.opener.open(Request(base + "/accounts/login/", form, {"Referer": base + "/accounts/login/"}), timeout=30)
        cookies = {c.name: c.value for c in self.jar}  # the CSRF token is rotated at login: read it now
        if "sessionid" not in cookies:
            raise RuntimeError(f"login as {username} failed")
        self.csrf: str = cookies["csrftoken"] or ""

    def send(self, method: str, path: str, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, bytes, float]:
        """(status, raw answer, milliseconds). A refused, reset or timed-out connection is status 0."""
        data = json.dumps(body).encode() if body is not None else None
        request = Request(self.base + path, data, method=method, headers={
            "Content-Type": "application/json", "X-CSRFToken": self.csrf, "Referer": self.base + "/",
            **(headers or {})})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as resp:
                status, raw = resp.status, resp.read()
        except HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError as exc:
            status, raw = 0, repr(exc).encode()
        return status, raw, (time.perf_counter() - started) * 1000

    def post(self, path: str, body: dict, headers: dict | None = None) -> tuple[int, bytes, float]:
        return self.send("POST", path, body, headers)

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict]:
        """(status, decoded JSON answer)."""
        status, raw, _ = self.send(method, path, body, headers)
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            return status, {"raw": raw.decode(errors="replace")[:500]}
