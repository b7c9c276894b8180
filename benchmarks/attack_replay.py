"""Replay issue 12's attacker findings against a live one-node demo and count what got through.

    .venv/bin/python -P benchmarks/attack_replay.py                 # this checkout (-P: benchmarks/calendar.py
                                                                    # must not shadow the stdlib)
    .venv/bin/python -P benchmarks/attack_replay.py --tree /tmp/old  # another checkout (its .venv or ours)

It prepares `tongban demo --single --no-serve` in a fresh temporary data directory, starts that tree's
node with gunicorn (one worker, four threads), and sends over HTTP what the issue's attacker
sent: 50 wrong administrator passwords then the right one, NUL characters, deep JSON, 5,000-digit numbers
and huge page numbers, 50 anonymous Open311 requests and web reports, a 50 MB body, one Open311
Idempotency-Key from two clients, 20 parallel extension requests, and the response headers, 403 log
lines and file modes (CSV formula cells: tongban/core/tests; the demo's exports hold no user text).
Each line prints what an attacker got: "before" and "after" are two runs of this script on two
checkouts, in the same session (the closing note of issue 12 quotes both).

Only the standard library: the old checkout need not have anything new installed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.cookiejar
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "tongban-demo"


class Client:
    """A cookie-keeping HTTP client that never raises on 4xx/5xx and never follows redirects."""

    def __init__(self, base: str, address: str = "") -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.address = address

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict, bytes]:
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if self.address:
            req.add_header("X-Forwarded-For", self.address)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()
        except (ConnectionError, TimeoutError, urllib.error.URLError) as exc:
            return 0, {}, str(exc).encode()

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def form(self, path: str, fields: dict, referer: bool = True) -> tuple[int, dict, bytes]:
        if not self.csrf():
            self.get(path)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if referer:
            headers["Referer"] = self.base + path
        return self.request("POST", path, data=body, headers=headers)

    def json(self, method: str, path: str, payload: object | str, extra: dict | None = None) -> tuple[int, dict, bytes]:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf(), "Referer": self.base + "/",
                   **(extra or {})}
        return self.request(method, path, data=body.encode(), headers=headers)

    def staff_login(self, username: str, password: str = PASSWORD) -> int:
        self.get("/accounts/login/")
        status, headers, _ = self.form("/accounts/login/", {"username": username, "password": password})
        return status if status != 302 else (302 if "login" not in headers.get("Location", "") else 200)

    def logged_in(self) -> bool:
        return any(c.name == "sessionid" for c in self.jar)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tongban(venv: Path) -> list[str]:
    """The `tongban` command run by the venv's Python on the code of the current directory."""
    code = "import sys; from tongban.cli import main; sys.argv[0] = 'tongban'; main()"
    return [str(venv / "bin" / "python"), "-c", code]


def start_node(tree: Path, venv: Path, data: Path) -> tuple[subprocess.Popen, str, Path]:
    env = {**os.environ, "TONGBAN_DATA_DIR": str(data), "TONGBAN_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(tree)  # the tree's own code, whatever the venv's editable install points at
    subprocess.run([*tongban(venv), "demo", "--single", "--no-serve"], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    log = data / "server.log"
    proc = subprocess.Popen([str(venv / "bin" / "gunicorn"), "tongban.wsgi", "-b", f"127.0.0.1:{port}",
                             "--threads", "4", "-w", "1", "--timeout", "120"],
                            cwd=tree, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:  # URLError, refused, timed out: not up yet
            time.sleep(0.5)
    return proc, base, log


def count(codes: list[int], predicate) -> int:
    return sum(1 for s in codes if predicate(s))


def statuses(codes: list[int]) -> list[tuple[int, int]]:
    """[(status, how many)], by status."""
    return sorted({s: codes.count(s) for s in codes}.items())


def replay(base: str, data: Path, log: Path, venv: Path, tree: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def row(name: str, value: object) -> None:
        out.append((name, str(value)))
        print(f"{name:<66} {value}", flush=True)

    # ---- logins ----------------------------------------------------------------------------------
    # Everything comes from one address, and a per-address lockout would also lock the accounts the
    # later probes need: they log in first.
    window, approver = Client(base), Client(base)
    window.staff_login("tz_window")
    approver.staff_login("tz_rsj")
    fresh = Client(base)
    fresh.staff_login("tz_admin")
    row("login: admin with password only reaches /dashboard/ (no 2nd factor)", fresh.get("/dashboard/")[0] == 200)
    attacker = Client(base)
    started = time.monotonic()
    wrong = [attacker.staff_login("tz_admin", f"wrong-{i}") for i in range(50)]
    row("login: 50 wrong admin passwords, seconds", f"{time.monotonic() - started:.1f}")
    row("login: wrong-password answers by status", statuses(wrong))
    right = Client(base)
    right.staff_login("tz_admin")
    row("login: right password after 50 wrong gives a session", right.logged_in())

    # ---- input that crashed a server ------------------------------------------------------------
    anon = Client(base)
    probes = []
    probes.append(anon.form("/open311/v2/requests.json", {
        "jurisdiction_id": "110112", "service_code": "1", "description": "路灯坏了\x00很久", "address_string": "x"},
        referer=False))
    probes.append(window.json("POST", "/api/cases/", {"item_code": "x\u0000", "applicant_name": "张\u0000"}))
    deep = "[" * 5000 + "]" * 5000
    big = "1" * 5000
    for path in ("/federation/inbox/", "/federation/reconcile/", "/verify/"):
        probes.append(anon.json("POST", path, deep))
        probes.append(anon.json("POST", path, '{"n": ' + big + "}"))
    for path in ("/api/catalog/items?page=9223372036854775807", "/api/cases/?page=9223372036854775807"):
        probes.append(window.request("GET", path))
    for query in ("start=0001-01-01&end=9999-12-31", "start=9999-12-31&end=0001-01-01"):
        probes.append(fresh.get(f"/dashboard/?{query}"))
    probes.append(anon.get("/progress/?number=%00&name=x"))
    row(f"input: probes answered 5xx or no answer (of {len(probes)})",
        count([p[0] for p in probes], lambda s: s >= 500 or s == 0))
    bad = data / "junk.json"
    bad.write_text(deep)
    verify = subprocess.run([*tongban(venv), "verify", str(bad)], capture_output=True, cwd=tree,
                            env={**os.environ, "TONGBAN_DATA_DIR": str(data), "PYTHONPATH": str(tree)})
    row("input: `tongban verify` on deep JSON: exit code, traceback", (verify.returncode,
                                                                     b"Traceback" in verify.stderr))

    # ---- abuse -----------------------------------------------------------------------------------
    def open311(client: Client, i: int, key: str = "") -> tuple[int, dict, bytes]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if key:
            headers["Idempotency-Key"] = key
        body = urllib.parse.urlencode({"jurisdiction_id": "110112", "service_code": "1",
                                       "description": f"小区门口路灯坏了很久没人修，第{i}次反映，晚上很黑",
                                       "address_string": "通州区北苑街道"}).encode()
        return client.request("POST", "/open311/v2/requests.json", data=body, headers=headers)

    answers = [open311(anon, i) for i in range(50)]
    row("abuse: 50 anonymous Open311 requests, answers by status (201 = registered)",
        statuses([a[0] for a in answers]))
    row("abuse: ... 429 answers with a Retry-After header",
        sum(1 for a in answers if a[0] == 429 and "Retry-After" in a[1]))
    reporter = Client(base)
    reporter.get("/hotline/report/")
    reports = [reporter.form("/hotline/report/", {"text": f"楼下餐馆油烟太大，晚上十点还在营业，影响休息 第{i}次",
                                                   "caller_name": "张三", "caller_phone": "13700001234"})[0]
               for i in range(50)]
    row("abuse: 50 anonymous web reports, answers by status (429 = refused)", statuses(reports))
    boundary = "tongbanreplay"
    blob = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() + b"x" * (50 * 1024 * 1024)
    blob += f"\r\n--{boundary}--\r\n".encode()
    started = time.monotonic()
    status = anon.request("POST", "/open311/v2/requests.json", data=blob, timeout=120,
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})[0]
    row("abuse: 50 MB multipart body to Open311: status (0 = connection closed), seconds",
        (status, f"{time.monotonic() - started:.1f}"))
    first, second = Client(base, address="10.0.0.1"), Client(base, address="10.0.0.2")
    a = open311(first, 901, key="shared-key-1")
    b = open311(second, 902, key="shared-key-1")

    def ident(resp: tuple[int, dict, bytes]) -> str:
        try:
            return json.loads(resp[2])[0].get("service_request_id", "")
        except (ValueError, KeyError, IndexError, TypeError):
            return ""
    row("abuse: Idempotency-Key reused by another client: statuses, same id", (a[0], b[0],
                                                                               bool(ident(a)) and ident(a) == ident(b)))

    # ---- the race --------------------------------------------------------------------------------
    status, _, body = approver.get("/api/cases/?state=accepted&page_size=100")
    number = ""
    try:
        items = json.loads(body)["items"]
        number = next((c["number"] for c in items), "")
    except (ValueError, KeyError):
        pass
    if number:
        def ask(_: int) -> int:
            return approver.json("POST", f"/api/cases/{number}/extensions", {"days": 10, "reason": "并发测试"})[0]
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(ask, range(20)))
        row("race: 20 parallel 10-day extension requests, answers by status (201 = created)", statuses(results))
    else:
        row("race: 20 parallel 10-day extension requests", f"no accepted case visible to tz_rsj ({status})")

    # ---- headers, exports, logs, files ----------------------------------------------------------
    headers = fresh.get("/dashboard/")[1]
    row("headers: Content-Security-Policy on /dashboard/", "Content-Security-Policy" in headers)
    row("headers: Permissions-Policy on /dashboard/", "Permissions-Policy" in headers)
    row("headers: Cache-Control on /dashboard/", headers.get("Cache-Control", "—"))
    row("headers: Cache-Control on /api/cases/", window.get("/api/cases/")[1].get("Cache-Control", "—"))
    status, headers, _ = fresh.get("/dashboard/export.csv")
    row("headers: Cache-Control on /dashboard/export.csv", headers.get("Cache-Control", "—"))
    lines = log.read_text(errors="replace")
    before = lines.count("Traceback")
    forbidden = window.get("/hotline/")[0], window.get("/hotline/whistle/")[0]
    time.sleep(0.5)
    after = log.read_text(errors="replace").count("Traceback")
    row(f"logs: tracebacks written for two refused pages {forbidden}", after - before)
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in data.iterdir()
             if p.name.startswith("tongban.sqlite3") or p.name in ("secret_key", "node_key.pem")}
    row("files: modes in the data directory", modes)
    row("files: data directory mode", oct(stat.S_IMODE(data.stat().st_mode)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--venv", type=Path, default=None, help="default: the tree's .venv, else this one")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (server.log) and print it")
    args = parser.parse_args()
    tree = args.tree.resolve()
    venv = args.venv or (tree / ".venv" if (tree / ".venv").exists() else Path(sys.prefix))
    os.chdir(tree)
    tmp = tempfile.mkdtemp(prefix="tongban-replay-")
    data = Path(tmp) / "var"
    data.mkdir()
    proc, base, log = start_node(tree, venv, data)
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, text=True, capture_output=True)
        print(f"tree {tree} ({head.stdout.strip()}) at {base}")
        replay(base, data, log, venv, tree)
    finally:
        proc.terminate()
        proc.wait(10)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
