"""The fault test: two nodes as real processes; cases cross while nodes are SIGKILLed and the link is cut.

Phase 1: 廊坊 receives and forwards TONGBAN_FAULT_CASES (default 500) cases for a 通州 item while the
通州 node (which receives those messages) is killed with SIGKILL three times and the link to it is cut
and restored twice. Phase 2: 通州 accepts a fifth of them while the 廊坊 node is killed once and the
link cut once, so messages travel back. Afterwards both sides must hold every case exactly once, in the
same state and version, read straight from each node's database. The counts are printed.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from testsupport.federation import LinkProxy, free_port, node_pg_urls, node_rows, recreate_pg
from testsupport.http_session import Session
from tongban.demo import nodes as demo_nodes

CASES = int(os.environ.get("TONGBAN_FAULT_CASES", "500"))
DRAIN_TIMEOUT = 240
APPLICATION = {"competent_region": "110112", "applicant_kind": "person", "applicant_name": "张三",
               "applicant_id_number": "11010519491231002X", "applicant_phone": "13812345678",
               "materials_checked": ["申请人居民身份证"]}


def _status(node) -> list[dict]:
    return json.loads(node.tongban("federation", "status", "--json").stdout)


def _drain(nodes, timeout: float = DRAIN_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(s["pending"] == 0 for node in nodes for s in _status(node)):
            return
        time.sleep(1)
    raise AssertionError(f"outboxes not drained in {timeout} s: {[_status(n) for n in nodes]}")


class Chaos:
    """Kills and restarts a node, and cuts and restores its link, on a schedule, in a thread."""

    def __init__(self, node, link: LinkProxy, kills: int, cuts: int) -> None:
        self.node, self.link, self.kills, self.cuts = node, link, kills, cuts
        self.done = threading.Event()
        self.events: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        plan, kills, cuts = [], self.kills, self.cuts
        while kills or cuts:  # kill, cut, kill, cut, kill …
            if kills:
                plan.append("kill")
                kills -= 1
            if cuts:
                plan.append("cut")
                cuts -= 1
        for event in plan:
            time.sleep(1.5)
            if event == "kill":
                self.node.kill(signal.SIGKILL)
                self.events.append(f"SIGKILL {self.node.id}")
                time.sleep(1.0)
                self.node.start()
                self.node.wait_until_up()
            else:
                self.link.cut()
                self.events.append(f"cut link to {self.node.id}")
                time.sleep(2.0)
                self.link.restore()
        self.done.set()


@pytest.fixture
def two_nodes(tmp_path):
    pg = node_pg_urls("fault")
    if pg:
        recreate_pg(pg)
    port = free_port()
    tongzhou, langfang = demo_nodes.two_nodes(tmp_path, port, pg or ("", ""))
    langfang.port = free_port()
    links = {n.id: LinkProxy(n.port) for n in (tongzhou, langfang)}
    demo_nodes.write_bundle([tongzhou, langfang], urls={k: v.url for k, v in links.items()})
    demo_nodes.setup([tongzhou, langfang])
    for node in (tongzhou, langfang):
        node.start()
    try:
        for node in (tongzhou, langfang):
            node.wait_until_up()
        yield tongzhou, langfang, links
    finally:
        for node in (tongzhou, langfang):
            node.kill(signal.SIGKILL)
        for link in links.values():
            link.cut()
        if pg:
            recreate_pg(pg, create=False)


def _item_code(node) -> str:
    rows = node_rows(node, """SELECT i.code FROM catalog_item i JOIN catalog_competence c ON c.item_id = i.id
                          JOIN catalog_department d ON d.id = c.department_id
                          WHERE d.name = '北京市通州区人力资源和社会保障局' AND i.mode_proxy
                          AND i.legal_limit_days >= 10 ORDER BY i.code LIMIT 1""")
    return rows[0][0]


def _submit_and_forward(session: Session, item_code: str, count: int) -> list[str]:
    numbers = []
    for _ in range(count):
        key = uuid.uuid4().hex
        status, case = session.request("POST", "/api/cases/", {"item_code": item_code, **APPLICATION},
                                       {"Idempotency-Key": key})
        assert status == 201, case
        status, case = session.request("POST", f"/api/cases/{case['number']}/actions/forward",
                                       {"expected_version": case["version"]})
        assert status == 200 and case["state"] == "forwarded", case
        numbers.append(case["number"])
    return numbers


@pytest.mark.slow
@pytest.mark.xdist_group("fault")
def test_every_case_arrives_exactly_once_through_kills_and_cuts(two_nodes):
    tongzhou, langfang, links = two_nodes
    item_code = _item_code(langfang)
    started = time.monotonic()

    # Phase 1: 廊坊 → 通州 while 通州 is killed and its link cut
    chaos = Chaos(tongzhou, links["tongzhou"], kills=3, cuts=2)
    chaos.thread.start()
    clients = [Session(langfang.url, "sanhe_window") for _ in range(4)]
    with ThreadPoolExecutor(len(clients)) as pool:
        shares = [CASES // len(clients) + (k < CASES % len(clients)) for k in range(len(clients))]
        numbers = [n for part in pool.map(_submit_and_forward, clients, [item_code] * 4, shares) for n in part]
    chaos.done.wait(timeout=120)
    assert chaos.done.is_set(), "the chaos schedule did not finish"
    _drain([langfang, tongzhou])

    # Phase 2: 通州 → 廊坊 (acceptances) while 廊坊 is killed and its link cut
    chaos2 = Chaos(langfang, links["langfang"], kills=1, cuts=1)
    chaos2.thread.start()
    approver = Session(tongzhou.url, "tz_rsj")
    accepted = numbers[: max(1, CASES // 5)]
    for number in accepted:
        status, case = approver.request("POST", f"/api/cases/{number}/actions/accept", {})
        assert status == 200 and case["state"] == "accepted", case
    chaos2.done.wait(timeout=120)
    assert chaos2.done.is_set()
    _drain([langfang, tongzhou])

    # Both databases, read directly
    sql = "SELECT number, state, version FROM cases_case ORDER BY number"
    at_lf, at_tz = node_rows(langfang, sql), node_rows(tongzhou, sql)
    lf_numbers, tz_numbers = [r[0] for r in at_lf], [r[0] for r in at_tz]
    sent = sum(s["sent"] for s in _status(langfang)) + sum(s["sent"] for s in _status(tongzhou))
    acked = sum(s["acknowledged"] for s in _status(langfang)) + sum(s["acknowledged"] for s in _status(tongzhou))
    applied = node_rows(tongzhou, "SELECT COUNT(*) FROM federation_inboxmessage WHERE status = 'applied'")[0][0] \
        + node_rows(langfang, "SELECT COUNT(*) FROM federation_inboxmessage WHERE status = 'applied'")[0][0]
    lost = len(set(numbers) - set(tz_numbers)) + len(set(numbers) - set(lf_numbers))
    duplicated = (len(lf_numbers) - len(set(lf_numbers))) + (len(tz_numbers) - len(set(tz_numbers)))
    print(f"\nfault test ({'PostgreSQL' if tongzhou.database_url else 'SQLite'}): {CASES} cases, "
          f"{chaos.events + chaos2.events}; messages sent {sent}, delivered (acknowledged) {acked}, "
          f"applied {applied}, lost {lost}, duplicated {duplicated}; "
          f"cases 廊坊 {len(lf_numbers)}, 通州 {len(tz_numbers)}; {time.monotonic() - started:.0f} s")
    assert len(numbers) == CASES and len(set(numbers)) == CASES
    assert lost == 0 and duplicated == 0
    assert sorted(numbers) == lf_numbers == tz_numbers
    assert at_lf == at_tz  # same state and version on both sides
    states = {r[1] for r in at_tz}
    assert states == {"forwarded", "accepted"} and sum(r[1] == "accepted" for r in at_tz) == len(accepted)
    assert sent == acked == applied  # every message applied once: receipts for all, nothing rejected
    assert len(chaos.events) == 5 and len(chaos2.events) == 2
    for node in (langfang, tongzhou):
        assert node.tongban("federation", "reconcile", check=False).returncode == 0
        assert node.tongban("audit", "verify", check=False).returncode == 0
