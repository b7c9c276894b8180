"""Case throughput over the HTTP API under gunicorn, on SQLite and PostgreSQL, beside a commit-rate floor.

    .venv/bin/python benchmarks/case_throughput.py [--clients 4] [--cases 200] [--baseline-seconds 15]
        [--pg postgres://postgres@127.0.0.1:5432/tongban_bench_cases] [--no-pg]

Per database: migrate and load the demo catalogue and staff in a child process (SQLite: the embedded
default in /tmp/bench-cases-*; PostgreSQL: --pg, dropped before and after); serve the app with
`gunicorn -w 2 --threads 4` on a free port in 8400–8499; let --clients threads, each logged in as a window
officer and an approver, run --cases lifecycles of 9 writes (create, forward, accept, request_supplement,
supplement_received, start_review, decide, deliver, archive), checking every answer (201/200 and the
expected state; anything else is an error, printed with its body); count the cases, run `tongban audit
verify`; measure the floor: the same database doing nothing but tiny write transactions (pgbench TPC-B-like,
or for SQLite threads looping BEGIN IMMEDIATE / INSERT / COMMIT with the project's pragmas). Printed:
lifecycles/s, transitions/s (successful writes per second of wall time), median and p95 ms per request,
errors, baseline TPS and transitions/s ÷ baseline TPS. Details: docs/operations.md, "Benchmarks".
"""
# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not installed)

import argparse
import contextlib
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit
from urllib.request import build_opener

from testsupport.http_session import Session

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEPARTMENT = "北京市通州区人力资源和社会保障局"
# (session, action, extra payload, state the answer must show)
LIFECYCLE: list[tuple[str, str, dict[str, Any], str]] = [
    ("window", "forward", {}, "forwarded"), ("approver", "accept", {}, "accepted"),
    ("approver", "request_supplement", {"missing": ["解除劳动关系证明"]}, "supplement"),
    ("window", "supplement_received", {}, "accepted"), ("approver", "start_review", {}, "in_review"),
    ("approver", "decide", {"outcome": "approved"}, "decided"), ("window", "deliver", {}, "delivered"),
    ("approver", "archive", {}, "archived")]
WRITES = 1 + len(LIFECYCLE)


def child(mode: str) -> dict:
    """In a child process with the database's environment: prepare the database, or count after the load."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tongban.audit.models import AuditEntry
    from tongban.calendar.actions import YearNotLoaded, add_workdays
    from tongban.cases.models import Case, State
    from tongban.catalog.models import Item
    from tongban.core.clock import today
    from tongban.demo.actions import do_load_demo
    from tongban.demo.cases import do_load_demo_people

    if mode == "verify":
        return {"cases": Case.objects.count(), "archived": Case.objects.filter(state=State.ARCHIVED).count(),
                "audit": AuditEntry.objects.filter(subject__startswith="case:").count()}
    call_command("migrate", verbosity=0)
    do_load_demo()
    do_load_demo_people()
    item = Item.objects.filter(competences__department__name=DEPARTMENT, mode_proxy=True,
                               legal_limit_days__lte=10, legal_limit_days__gte=1).order_by("code").first()
    if item is None:
        return {"problem": f"no 异地代收代办 item of {DEPARTMENT} with a legal limit of 1–10 working days"}
    limit = item.legal_limit_days
    assert limit is not None  # filtered on legal_limit_days__gte=1
    out = {"item": item.code, "name": item.name, "limit": limit, "today": str(today()), "problem": ""}
    try:
        out["due"] = str(add_workdays(today(), limit))
    except YearNotLoaded as exc:
        out["problem"] = (f"acceptance is impossible when run on {today()}: {item.code}'s legal due date "
                          f"({item.legal_limit_days} working days later) needs a calendar not loaded — {exc}")
    return out


def run_child(mode: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"child {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    for port in range(8400, 8500):
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free port in 8400–8499")


@contextlib.contextmanager
def gunicorn(env: dict, log: Path):
    """The app on a free loopback port, answering; stopped (TERM, then KILL) whatever happens."""
    port = free_port()
    with log.open("w") as fh:
        proc = subprocess.Popen([BIN / "gunicorn", "tongban.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2",
                                 "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
                                env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    try:
        while True:
            with contextlib.suppress(OSError), build_opener().open(base + "/accounts/login/", timeout=5):
                break  # answered 200 (anything else raises HTTPError, an OSError)
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up on {base}:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_load(base: str, item_code: str, clients: int, cases: int) -> dict:
    """`clients` threads run `cases` lifecycles between them; every latency and every failure is kept."""
    application = {"item_code": item_code, "competent_region": "110112", "applicant_kind": "person",
                   "applicant_name": "张三", "applicant_id_number": "11010519491231002X",
                   "applicant_phone": "13812345678", "materials_checked": ["申请人居民身份证"]}
    sessions = [{"window": Session(base, "sanhe_window"), "approver": Session(base, "tz_rsj")} for _ in range(clients)]

    def client(k: int) -> tuple[list[float], list[str], int]:
        latencies, errors, done = [], [], 0

        def check(action: str, status: int, raw: bytes, ms: float, want: int, state: str) -> dict | None:
            latencies.append(ms)
            with contextlib.suppress(ValueError):
                if status == want and (body := json.loads(raw)).get("state") == state:
                    return body
            errors.append(f"{action}: HTTP {status} {raw.decode(errors='replace')[:400]}")
            return None

        for _ in range(cases // clients + (k < cases % clients)):
            answer = sessions[k]["window"].post("/api/cases/", application, {"Idempotency-Key": uuid.uuid4().hex})
            case = check("create", *answer, 201, "submitted")
            for who, action, extra, state in LIFECYCLE:
                if case is None:
                    break
                answer = sessions[k][who].post(f"/api/cases/{case['number']}/actions/{action}",
                                               {"expected_version": case["version"], **extra})
                case = check(action, *answer, 200, state)
            done += case is not None
        return latencies, errors, done

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    latencies, errors = [ms for r in results for ms in r[0]], [e for r in results for e in r[1]]
    done = sum(r[2] for r in results)
    return {"elapsed": elapsed, "lifecycles": done, "requests": len(latencies), "errors": errors,
            "lifecycles_s": done / elapsed, "transitions_s": (len(latencies) - len(errors)) / elapsed,
            "median": statistics.median(latencies), "p95": statistics.quantiles(latencies, n=20)[-1]}


def sqlite_floor(path: Path, clients: int, seconds: int) -> tuple[float, str]:
    """Committed one-row write transactions per second: `clients` threads, a connection each."""
    with contextlib.closing(sqlite3.connect(path)) as setup:  # WAL mode is kept in the file
        setup.executescript("PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, at REAL, payload TEXT);")

    def loop(_: int) -> int:
        conn, count, end = sqlite3.connect(path, timeout=20, isolation_level=None), 0, time.perf_counter() + seconds
        conn.execute("PRAGMA synchronous=NORMAL")
        while time.perf_counter() < end:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (at, payload) VALUES (?, ?)", (time.time(), "x" * 200))
            conn.execute("COMMIT")
            count += 1
        conn.close()
        return count

    with ThreadPoolExecutor(clients) as pool:
        tps = sum(pool.map(loop, range(clients))) / seconds
    return tps, (f"SQLite: {clients} threads × (BEGIN IMMEDIATE; INSERT 1 row; COMMIT) for {seconds} s, "
                 "WAL, synchronous=NORMAL")


def recreate_pg(url: str, name: str, *, create: bool = True) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def pgbench_floor(url: str, clients: int, seconds: int) -> tuple[float, str]:
    """pgbench TPC-B-like and select-only TPS in the scratch database tongban_pgbench, dropped afterwards."""
    parts, scratch = urlsplit(url), "tongban_pgbench"
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    recreate_pg(url, scratch)
    try:
        subprocess.run(["pgbench", "-i", "-s", "1", "-q", *conn, scratch], check=True, capture_output=True)
        rates = []
        for extra in ([], ["-S"]):
            out = subprocess.run(["pgbench", "-c", str(clients), "-j", str(min(2, clients)), "-T", str(seconds),
                                  "-n", *extra, *conn, scratch], check=True, capture_output=True, text=True).stdout
            tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
            assert tps is not None, out
            rates.append(float(tps.group(1)))
        return rates[0], (f"PostgreSQL: pgbench -s 1 TPC-B-like -c {clients} -j {min(2, clients)} -T {seconds} "
                          f"(select-only -S: {rates[1]:,.0f} tps)")
    finally:
        recreate_pg(url, scratch, create=False)


def bench(label: str, env: dict, tmp: Path, args) -> dict | None:
    print(f"\n== {label}", flush=True)
    prep = run_child("prepare", env)
    if prep["problem"]:
        print(f"   NOT RUN: {prep['problem']}", flush=True)
        return None
    print(f"   item {prep['item']} {prep['name']} (legal limit {prep['limit']} working days); "
          f"today is {prep['today']}, accepted today it is due {prep['due']}", flush=True)
    with gunicorn(env, log := tmp / f"gunicorn-{label}.log") as base:
        load = run_load(base, prep["item"], args.clients, args.cases)
    print(f"   {load['requests']} requests in {load['elapsed']:.1f} s, {load['lifecycles']} of {args.cases} "
          f"lifecycles complete, {len(load['errors'])} errors", flush=True)
    for error in load["errors"][:10]:
        print(f"   ERROR {error}")
    if any(" HTTP 5" in e or " HTTP 0" in e for e in load["errors"]):
        print("   gunicorn log (tail):\n" + log.read_text()[-3000:])
    got, want = run_child("verify", env), {"cases": args.cases, "archived": args.cases, "audit": WRITES * args.cases}
    audit = subprocess.run([BIN / "tongban", "audit", "verify"], env=env, cwd=ROOT, capture_output=True, text=True)
    print(f"   database: {got['cases']} cases, {got['archived']} archived, {got['audit']} case audit entries "
          f"(expected {want['cases']}, {want['archived']}, {want['audit']}): {'OK' if got == want else 'MISMATCH'}")
    print(f"   tongban audit verify: {'OK' if audit.returncode == 0 else 'FAILED'} — "
          f"{(audit.stdout + audit.stderr).strip()}", flush=True)
    n, seconds = args.clients, args.baseline_seconds
    baseline, note = sqlite_floor(tmp / "floor.sqlite3", n, seconds) if label == "sqlite" else \
        pgbench_floor(args.pg, n, seconds)
    return {"db": label, **load, "baseline": baseline, "note": note, "clean": got == want and not audit.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--baseline-seconds", type=int, default=15)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/tongban_bench_cases")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--child", choices=["prepare", "verify"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-cases-", dir="/tmp") as tmp_name:
        tmp = Path(tmp_name)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(TONGBAN_DATA_DIR=str(tmp), TONGBAN_LOG_LEVEL="ERROR", TONGBAN_ALLOWED_HOSTS="127.0.0.1",
                   TONGBAN_SECRET_KEY=f"bench-only-{uuid.uuid4().hex}", TONGBAN_DEBUG="0")
        rows.append(bench("sqlite", env, tmp, args))
        if not args.no_pg:
            name = args.pg.rsplit("/", 1)[1]
            recreate_pg(args.pg, name)
            try:
                rows.append(bench("postgresql", {**env, "DATABASE_URL": args.pg}, tmp, args))
            finally:
                recreate_pg(args.pg, name, create=False)
    print(f"\ncase lifecycles over HTTP (gunicorn -w 2 --threads 4), {args.cases} cases × {WRITES} writes; "
          f"latency per request in ms")
    print(f"{'database':<11}{'clients':>8}{'lifecycles/s':>14}{'transitions/s':>15}{'median':>8}{'p95':>8}"
          f"{'errors':>8}{'baseline TPS':>14}{'ratio':>8}")
    for r in filter(None, rows):
        print(f"{r['db']:<11}{args.clients:>8}{r['lifecycles_s']:>14.2f}{r['transitions_s']:>15.1f}{r['median']:>8.1f}"
              f"{r['p95']:>8.1f}{len(r['errors']):>8}{r['baseline']:>14,.0f}{r['transitions_s'] / r['baseline']:>8.3f}")
    for r in filter(None, rows):
        print(f"baseline {r['note']}")
    if not all(rows) or any(r["errors"] or not r["clean"] for r in filter(None, rows)):
        sys.exit("\nnot a clean run: see NOT RUN / ERROR / MISMATCH above")


if __name__ == "__main__":
    main()
