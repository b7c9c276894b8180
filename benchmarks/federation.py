"""Federation: signed messages per second between two nodes and cross-region end-to-end latency, beside the
same messages unsigned over the same path in the same run, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/federation.py [--messages 1000] [--latency-cases 50] [--repeat 4] [--clients 4]
        [--interval 0.1] [--pg postgres://postgres@127.0.0.1:5432/tongban_bench_fed] [--no-pg]

Per database, two real nodes (tongban.demo.nodes: 通州 and 廊坊, each its own data directory, database and
key, one trust bundle; gunicorn -w 2 --threads 4 and `tongban federation worker --interval`, the commands
of NodeSpec.start) on free loopback ports, set up once (SQLite in a temporary directory; PostgreSQL: the
databases <name>_tz and <name>_lf of --pg, dropped before and after).

1. The backlog: with 廊坊's worker stopped, --clients window officers (sanhe_window) receive and forward
   --messages / 2 cases for a 通州 item at 廊坊, and receive (only) 2 × --latency-cases more; every change
   queues one `case.update` for 通州, exactly as the node sends them.
2. messages/s: 廊坊's worker delivers the backlog in 2 × --repeat equal windows, signed and unsigned in the
   order S U U S S U U S … (so drift in the machine's load falls on both alike): sign, HTTP, verify, apply
   in order, sign the receipt, check it. Per window, from the acknowledgement times in 廊坊's outbox:
   (n − 1) ÷ (last ack − first ack), so the worker's start-up is left out (printed beside), and so are the
   first 10 acks after a restart (both sides' first requests; also printed); per variant the median of its
   windows. Afterwards every message must be acknowledged without a retry and applied at 通州
   (none rejected or refused), and each window's receipts signed (or, unsigned, not one).
3. latency: in the same alternating order, one case at a time and after a random pause (so that the
   forward falls at a random point of the worker's poll cycle), forward at 廊坊, then poll 通州 as tz_rsj
   (GET /api/cases/<number>, every 5 ms) until it shows 已预审转交: forward's answer → first such poll. The
   idle worker sleeps --interval between rounds (0.1 s, as the demo nodes), which adds up to that much,
   about half on average.

Where the variant changes, 廊坊's worker is stopped and 通州's web server restarted in the other. The unsigned
variant runs the same commands through benchmarks/_federation_unsigned.py (the gunicorn config hook and a
`tongban` wrapper), which turns `keys.sign` and `trust.verify` into no-ops in those processes only; the
product has no such switch. 廊坊's web server and 通州's worker always run unchanged (neither signs nor
verifies anything in this direction). Also printed: the in-process cost of the four Ed25519 operations of a
message. Then audit verify on both nodes and reconcile. Details: docs/operations.md, "Benchmarks".
"""
# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not installed)

import argparse
import base64
import contextlib
import datetime
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from testsupport.federation import free_port, recreate_pg
from testsupport.http_session import Session
from tongban.demo import nodes as demo_nodes

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parents[1]
UNSIGNED = Path(__file__).resolve().parent / "_federation_unsigned.py"
VARIANTS = ("signed", "unsigned")
DRAIN_TIMEOUT = 600
WARM_UP = 10  # acks not counted at the start of a window after a restart
APPLICATION = {"competent_region": "110112", "applicant_kind": "person", "applicant_name": "张三",
               "applicant_id_number": "11010519491231002X", "applicant_phone": "13812345678",
               "materials_checked": ["申请人居民身份证"]}


class Database:
    """A node's database read directly (not through the code under test); one connection, autocommit."""

    conn: "sqlite3.Connection | psycopg.Connection[Any]"

    def __init__(self, node: demo_nodes.NodeSpec) -> None:
        if node.database_url:
            import psycopg

            self.conn, self.mark = psycopg.connect(node.database_url, autocommit=True), "%s"
        else:
            self.conn = sqlite3.connect(node.data_dir / "tongban.sqlite3", timeout=30, isolation_level=None)
            self.mark = "?"

    def rows(self, sql: str, *params) -> list[tuple]:
        return self.conn.execute(sql.replace("?", self.mark), params).fetchall()

    def close(self) -> None:
        self.conn.close()


def as_time(value) -> float:
    if isinstance(value, str):  # SQLite: UTC, ISO text
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.timestamp()


def start(node: demo_nodes.NodeSpec, what: str, variant: str, interval: float) -> None:
    """The commands of NodeSpec.start; unsigned: the same through the benchmark's patching wrapper."""
    log = open(node.data_dir / f"{what}.log", "a")  # noqa: SIM115 — kept open by the child
    if what == "web":
        command = [sys.executable, "-m", "gunicorn", "tongban.wsgi:application", "--bind", f"127.0.0.1:{node.port}",
                   "--workers", "2", "--threads", "4", "--timeout", "60", "--graceful-timeout", "2"]
        if variant == "unsigned":
            command += ["-c", str(UNSIGNED)]
    else:
        command = [sys.executable, *([str(UNSIGNED)] if variant == "unsigned" else ["-m", "tongban.cli"]),
                   "federation", "worker", "--interval", str(interval)]
    node.processes[what] = subprocess.Popen(command, env=node.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
    log.close()


def stop(node: demo_nodes.NodeSpec, what: str) -> None:
    process = node.processes.pop(what, None)
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def pending(db: Database) -> int:
    return db.rows("SELECT COUNT(*) FROM federation_outboxmessage WHERE recipient = 'tongzhou' "
                   "AND acked_at IS NULL")[0][0]


def last_seq(db: Database) -> int:
    return db.rows("SELECT COALESCE(MAX(seq), 0) FROM federation_outboxmessage WHERE recipient = 'tongzhou'")[0][0]


def wait_drained(db: Database, worker: subprocess.Popen, poll: float = 0.02) -> float:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while pending(db):
        if worker.poll() is not None:
            raise RuntimeError(f"the 廊坊 worker exited ({worker.returncode}); see its worker.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"廊坊's outbox not drained in {DRAIN_TIMEOUT} s")
        time.sleep(poll)
    return time.monotonic()


def item_code(db: Database) -> str:
    return db.rows("""SELECT i.code FROM catalog_item i JOIN catalog_competence c ON c.item_id = i.id
                      JOIN catalog_department d ON d.id = c.department_id
                      WHERE d.name = '北京市通州区人力资源和社会保障局' AND i.mode_proxy
                      AND i.legal_limit_days >= 10 ORDER BY i.code LIMIT 1""")[0][0]


def receive(session: Session, item: str, count: int, forward: bool) -> list[str]:
    numbers = []
    for _ in range(count):
        status, case = session.request("POST", "/api/cases/", {"item_code": item, **APPLICATION},
                                       {"Idempotency-Key": uuid.uuid4().hex})
        if status != 201:
            raise RuntimeError(f"receive at 廊坊: HTTP {status} {case}")
        if forward:
            status, case = session.request("POST", f"/api/cases/{case['number']}/actions/forward",
                                           {"expected_version": case["version"]})
            if status != 200 or case.get("state") != "forwarded":
                raise RuntimeError(f"forward at 廊坊: HTTP {status} {case}")
        numbers.append(case["number"])
    return numbers


class Nodes:
    """The two nodes; 廊坊's web server and 通州's worker always run the product as it is (in this direction
    neither signs nor verifies anything), 通州's web server and 廊坊's worker run the variant being measured."""

    def __init__(self, tongzhou: demo_nodes.NodeSpec, langfang: demo_nodes.NodeSpec, interval: float) -> None:
        self.tongzhou, self.langfang, self.interval = tongzhou, langfang, interval
        self.lf_db, self.tz_db = Database(langfang), Database(tongzhou)
        self.web_variant = self.worker_variant = ""

    def up(self) -> None:
        start(self.langfang, "web", "signed", self.interval)
        start(self.tongzhou, "worker", "signed", self.interval)
        self.web(VARIANTS[0])
        self.langfang.wait_until_up()

    def web(self, variant: str) -> None:
        if self.web_variant != variant:
            stop(self.tongzhou, "web")
            start(self.tongzhou, "web", variant, self.interval)
            self.tongzhou.wait_until_up()
            self.web_variant = variant

    def worker(self, variant: str | None) -> None:
        """Stop 廊坊's worker; start it again as `variant` (after 通州's web server runs the same)."""
        if variant == self.worker_variant:
            return
        stop(self.langfang, "worker")
        self.worker_variant = ""
        if variant:
            self.web(variant)
            start(self.langfang, "worker", variant, self.interval)
            self.worker_variant = variant

    def acked(self, before: int) -> int:
        return self.lf_db.rows("SELECT COUNT(*) FROM federation_outboxmessage WHERE recipient = 'tongzhou' "
                               "AND seq > ? AND acked_at IS NOT NULL", before)[0][0]


def produce(nodes: Nodes, item: str, args) -> tuple[list[str], int, float]:
    """With 廊坊's worker stopped: receive and forward the backlog's cases, and receive (only) the latency cases."""
    cases, clients = (args.messages + 1) // 2, args.clients
    sessions = [Session(nodes.langfang.url, "sanhe_window") for _ in range(clients)]

    def share(total: int) -> list[int]:
        return [total // clients + (k < total % clients) for k in range(clients)]

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(receive, sessions, [item] * clients, share(cases), [True] * clients))
        later = [n for part in pool.map(receive, sessions, [item] * clients, share(2 * args.latency_cases),
                                        [False] * clients) for n in part]
    return later, pending(nodes.lf_db), time.monotonic() - started


def throughput(nodes: Nodes, args, order: list[str]) -> tuple[list[dict], list[str]]:
    """Deliver the queued backlog in equal windows, one variant each (`order`); the worker is restarted (and
    通州's web server) only where the variant changes, elsewhere a window ends where the previous one was seen done."""
    lf_db, before = nodes.lf_db, last_seq(nodes.lf_db) - pending(nodes.lf_db)
    backlog = pending(nodes.lf_db)
    results: list[dict[str, Any]] = []
    ended = 0.0
    for k, variant in enumerate(order):
        target = round(backlog * (k + 1) / len(order))
        fresh, started = nodes.worker_variant != variant, ended  # the windows partition the time: no ack is lost
        if fresh:
            nodes.worker(None)
            nodes.web(variant)
            spawned = time.time()
            nodes.worker(variant)
        worker, deadline = nodes.langfang.processes["worker"], time.monotonic() + DRAIN_TIMEOUT
        while nodes.acked(before) < target:
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the 廊坊 worker exited or stalled ({worker.returncode}); see worker.log")
            time.sleep(0.02)
        if k + 1 == len(order) or order[k + 1] != variant:
            nodes.worker(None)
        ended = time.time()
        rows = [(as_time(at), receipt if isinstance(receipt, dict) else json.loads(receipt))
                for at, receipt in lf_db.rows(
                    "SELECT acked_at, receipt FROM federation_outboxmessage WHERE recipient = 'tongzhou' "
                    "AND seq > ? AND acked_at IS NOT NULL", before)]
        mine = [row for row in rows if started < row[0] <= ended]
        acks = sorted(row[0] for row in mine)
        signed = sum(bool(row[1].get("signature")) for row in mine)
        counted = acks[WARM_UP:] if fresh else acks  # after a restart: both sides' first requests, connections
        results.append({"variant": variant, "messages": len(acks), "counted": len(counted),
                        "span_s": counted[-1] - counted[0], "rate": (len(counted) - 1) / (counted[-1] - counted[0]),
                        "startup": f"restarted: worker start → first ack {acks[0] - spawned:.1f} s, first "
                                   f"{WARM_UP} acks {acks[WARM_UP] - acks[0]:.2f} s (not counted)" if fresh
                        else "continued",
                        "problem": "" if signed == (len(acks) if variant == "signed" else 0)
                        else f"{signed} of {len(acks)} receipts carry a signature"})
    inbox = dict(nodes.tz_db.rows("SELECT status, COUNT(*) FROM federation_inboxmessage WHERE sender = 'langfang' "
                                  "AND seq > ? GROUP BY status", before))
    refused = nodes.tz_db.rows("SELECT COUNT(*) FROM federation_refusedmessage")[0][0]
    retried = lf_db.rows("SELECT COUNT(*) FROM federation_outboxmessage WHERE attempts > 0")[0][0]
    problems = [r["problem"] for r in results if r["problem"]]
    if sum(r["messages"] for r in results) != backlog:
        problems.append(f"the windows hold {sum(r['messages'] for r in results)} acknowledgements of {backlog}")
    if pending(lf_db) or inbox != {"applied": backlog} or refused or retried:
        problems.append(f"of {backlog}: {pending(lf_db)} pending at 廊坊, at 通州 {inbox}, {refused} refused, "
                        f"{retried} retried")
    return results, problems


def latency(nodes: Nodes, variant: str, numbers: list[str], args, rng: random.Random) -> list[float]:
    """Forward at 廊坊 one case at a time; ms from the forward's answer until 通州 shows it forwarded."""
    nodes.worker(variant)
    window, approver = Session(nodes.langfang.url, "sanhe_window"), Session(nodes.tongzhou.url, "tz_rsj")
    samples = []
    for number in numbers:
        status, case = approver.request("GET", f"/api/cases/{number}")
        if status != 200 or case.get("state") != "submitted":
            raise RuntimeError(f"{number} at 通州 before forwarding: HTTP {status} {case}")
        time.sleep(rng.uniform(0, args.interval))  # a random phase of the worker's poll cycle
        status, case = window.request("POST", f"/api/cases/{number}/actions/forward",
                                      {"expected_version": case["version"]})
        answered = time.perf_counter()
        if status != 200 or case.get("state") != "forwarded":
            raise RuntimeError(f"forward at 廊坊: HTTP {status} {case}")
        deadline = answered + 60
        while True:
            status, case = approver.request("GET", f"/api/cases/{number}")
            if status == 200 and case.get("state") == "forwarded":
                samples.append((time.perf_counter() - answered) * 1000)
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{number} not forwarded at 通州 after 60 s: HTTP {status} {case}")
            time.sleep(0.005)
    wait_drained(nodes.lf_db, nodes.langfang.processes["worker"])
    return samples


def crypto_cost(rounds: int = 2000) -> float:
    """ms of the four Ed25519 operations of one message (sign + verify it, sign + verify its receipt), one core."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    header = json.dumps({"sender": "langfang", "recipient": "tongzhou", "message_id": str(uuid.uuid4()), "seq": 17,
                         "case": "LF20260000042", "type": "case.update", "time": "2026-11-27T10:00:00+08:00",
                         "body_digest": "0" * 64}, sort_keys=True, separators=(",", ":")).encode()
    started = time.perf_counter()
    for _ in range(rounds):
        for _ in range(2):
            signature = base64.b64encode(key.sign(header)).decode()
            public.verify(base64.b64decode(signature, validate=True), header)
    return (time.perf_counter() - started) * 1000 / rounds


def bench(label: str, tmp: Path, pg_urls: tuple[str, str] | None, args) -> dict:
    print(f"\n== {label}", flush=True)
    tongzhou, langfang = demo_nodes.two_nodes(tmp, free_port(), pg_urls or ("", ""))
    langfang.port = free_port()
    started = time.monotonic()
    demo_nodes.write_bundle([tongzhou, langfang])
    demo_nodes.setup([tongzhou, langfang])
    print(f"   two nodes set up (migrate, 523 catalogue items, staff) in {time.monotonic() - started:.0f} s",
          flush=True)
    nodes = Nodes(tongzhou, langfang, args.interval)
    order = [v for k in range(args.repeat) for v in (VARIANTS if k % 2 == 0 else VARIANTS[::-1])]
    rng = random.Random(20261127)
    try:
        nodes.up()
        later, backlog, produced = produce(nodes, item_code(nodes.lf_db), args)
        print(f"   廊坊's worker stopped: {(args.messages + 1) // 2} cases received and forwarded, "
              f"{len(later)} received (for the latency runs) in {produced:.0f} s: {backlog} case.update messages "
              f"queued for 通州", flush=True)
        windows, problems = throughput(nodes, args, order)
        for w in windows:
            print(f"   delivered {w['variant']:<8} {w['messages']:>4} messages; {w['counted']:>4} counted in "
                  f"{w['span_s']:4.1f} s (first → last ack): {w['rate']:5.1f}/s; {w['startup']}", flush=True)
        samples: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for k, variant in enumerate(order):
            count = args.latency_cases // args.repeat + (k // 2 < args.latency_cases % args.repeat)
            numbers, later = later[:count], later[count:]
            got = latency(nodes, variant, numbers, args, rng)
            samples[variant] += got
            print(f"   latency   {variant:<8} {len(got):>5} forwards: median {statistics.median(got):.0f} ms, "
                  f"max {max(got):.0f} ms", flush=True)
        nodes.worker(None)
        nodes.web("signed")  # reconcile asks 通州, signed
        audit = [node.tongban("audit", "verify", check=False).returncode == 0 for node in (tongzhou, langfang)]
        reconciled = langfang.tongban("federation", "reconcile", check=False)
        counts = [db.rows("SELECT COUNT(*) FROM cases_case")[0][0] for db in (nodes.lf_db, nodes.tz_db)]
        verdict = (reconciled.stdout + reconciled.stderr).strip()
        print(f"   cases 廊坊 {counts[0]}, 通州 {counts[1]}; audit verify 廊坊 {'OK' if audit[1] else 'FAILED'}, "
              f"通州 {'OK' if audit[0] else 'FAILED'}; reconcile: {verdict}" + "".join(
                  f"\n   PROBLEM {p}" for p in problems), flush=True)
        clean = all(audit) and reconciled.returncode == 0 and counts[0] == counts[1] and not problems
    finally:
        for node in (tongzhou, langfang):
            node.kill(signal.SIGKILL)
        nodes.lf_db.close()
        nodes.tz_db.close()
    result = {"db": label, "clean": clean}
    for v in VARIANTS:
        mine = [w for w in windows if w["variant"] == v]
        result[v] = {"rate": statistics.median(w["rate"] for w in mine),
                     "messages": sum(w["messages"] for w in mine),
                     "median": statistics.median(samples[v]), "p95": statistics.quantiles(samples[v], n=20)[-1]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000,
                        help="messages of received and forwarded cases in the backlog (2 per case), half per variant")
    parser.add_argument("--latency-cases", type=int, default=50, help="forwards timed per variant")
    parser.add_argument("--repeat", type=int, default=4,
                        help="signed/unsigned pairs of windows, alternately ordered: S U, U S, S U …")
    parser.add_argument("--clients", type=int, default=4, help="threads receiving the backlog's cases at 廊坊")
    parser.add_argument("--interval", type=float, default=0.1, help="the workers' idle poll interval, s")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/tongban_bench_fed")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    load, order = os.getloadavg(), " ".join(["S U", "U S"][k % 2] for k in range(args.repeat))
    print(f"federation benchmark: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"backlog {args.messages} messages + {2 * args.latency_cases} (receiving the latency cases), "
          f"{args.latency_cases} forwards per variant for latency, order {order}, "
          f"workers' --interval {args.interval} s", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-federation-", dir="/tmp") as tmp_name:
        tmp = Path(tmp_name)
        rows.append(bench("sqlite", tmp / "sqlite", None, args))
        if not args.no_pg:
            base, name = args.pg.rsplit("/", 1)
            urls = (f"{base}/{name}_tz", f"{base}/{name}_lf")
            recreate_pg(urls)
            try:
                rows.append(bench("postgresql", tmp / "postgresql", urls, args))
            finally:
                recreate_pg(urls, create=False)
    crypto = crypto_cost()
    load = os.getloadavg()
    print(f"\ncase.update messages 廊坊 → 通州 through the real path (worker: sign, HTTP; inbox: verify, apply in "
          f"order, sign the receipt; worker: check it); msg/s: median of the variant's windows; e2e = forward at 廊坊 "
          f"answered → visible at 通州, {args.latency_cases} forwards per variant")
    print(f"{'database':<11}{'signed msg/s':>13}{'unsigned msg/s':>15}{'ratio':>7}{'Ed25519 alone':>15}"
          f"{'signed e2e median/p95 ms':>26}{'unsigned e2e median/p95 ms':>28}")
    for r in rows:
        s, u = r["signed"], r["unsigned"]
        alone = 1 / (1 + crypto * u["rate"] / 1000)  # the unsigned time per message plus the four operations
        print(f"{r['db']:<11}{s['rate']:>13.1f}{u['rate']:>15.1f}{s['rate'] / u['rate']:>7.2f}{alone:>15.3f}"
              f"{s['median']:>15.0f} / {s['p95']:<8.0f}{u['median']:>17.0f} / {u['p95']:<8.0f}")
    print("messages per variant: " + ", ".join(f"{r['db']} {r['signed']['messages']} signed, "
                                               f"{r['unsigned']['messages']} unsigned" for r in rows))
    print(f"ratio = signed ÷ unsigned messages/s. Ed25519 per message (sign + verify the message, sign + verify the "
          f"receipt), in-process: {crypto:.3f} ms = a ceiling of {1000 / crypto:,.0f} messages/s on one core; "
          f"'Ed25519 alone' = the ratio if signing cost only that (messages go one at a time: it adds up).")
    print(f"The idle worker sleeps --interval {args.interval} s between rounds: e2e latency includes up to that "
          f"(about half on average); 通州 is polled every 5 ms plus a request's time.")
    print(f"{os.cpu_count()} cores, shared; load average now {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}. Figures are "
          f"noisy: compare the two columns of one run, not runs made at different times.")
    if not all(r["clean"] for r in rows):
        sys.exit("\nnot a clean run: see PROBLEM / FAILED above")


if __name__ == "__main__":
    main()
