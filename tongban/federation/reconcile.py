"""Reconciliation: do both nodes hold every shared case, in the same state and version?

The asking node signs a short request; the peer answers with its list of (number, state, version)
for the cases the two share, signed. `compare` lists what differs.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from tongban.cases.models import Case
from tongban.catalog.models import Mode
from tongban.core import clock
from tongban.federation import keys, trust
from tongban.federation.envelope import Refused
from tongban.federation.outbox import post

MAX_SKEW = datetime.timedelta(minutes=5)


def _region_q(prefix: str, codes: tuple[str, ...]) -> Q:
    return Q(**{f"{prefix}__code__in": codes}) | Q(**{f"{prefix}__parent__code__in": codes})


def shared_cases(peer: str) -> list[tuple[str, str, int]]:
    """(number, state, version) of every case that spans this node and `peer`, by number."""
    mine, theirs = trust.this_node().regions, trust.node(peer).regions

    def involves(codes: tuple[str, ...]) -> Q:
        return (_region_q("receiving_region", codes) | _region_q("competent_region", codes)
                | _region_q("delegating_region", codes)
                | Q(mode=Mode.JOINT) & _region_q("item__competences__region", codes))

    both = involves(mine) & involves(theirs)
    rows = Case.objects.filter(both).distinct().order_by("number").values_list("number", "state", "version")
    return list(rows)


def signed_request(peer: str) -> dict:
    fields = {"type": "reconcile.request", "sender": keys.node_id(), "recipient": peer,
              "time": clock.now().isoformat()}
    return {**fields, "signature": keys.sign(keys.canonical(fields))}


def answer(request: object) -> dict:
    """The peer's side: verify the request, then sign the list."""
    if not isinstance(request, dict) or request.get("type") != "reconcile.request":
        raise Refused("对账请求格式错误", 400, code="federation.malformed")
    fields = {k: request.get(k) for k in ("type", "sender", "recipient", "time")}
    sender = str(fields["sender"])
    if fields["recipient"] != keys.node_id() or sender not in trust.peers():
        raise Refused(f"未知节点或收件人不符：{sender}", 403, code="federation.unknown_sender")
    try:
        trust.verify(sender, keys.canonical(fields), str(request.get("signature", "")))
        sent = datetime.datetime.fromisoformat(str(fields["time"]))
    except (trust.TrustError, ValueError) as exc:
        raise Refused(str(exc), 403, code="federation.bad_signature") from None
    if abs(clock.now() - sent) > MAX_SKEW:
        raise Refused("对账请求已过期（时间相差超过 5 分钟）", 403, code="federation.expired")
    body = {"node": keys.node_id(), "for": sender, "cases": [list(c) for c in shared_cases(sender)]}
    return {**body, "signature": keys.sign(keys.canonical(body))}


def fetch(peer: str) -> list[tuple[str, str, int]]:
    node = trust.node(peer)
    status, data = post(f"{node.url}/federation/reconcile/", signed_request(peer))
    if status != 200:
        raise Refused(f"节点 {peer} 拒绝对账：HTTP {status} {data.get('detail', '')}", 502,
                      code="federation.peer_refused")
    body = {k: data.get(k) for k in ("node", "for", "cases")}
    try:
        trust.verify(peer, keys.canonical(body), str(data.get("signature", "")))
    except trust.TrustError as exc:
        raise Refused(f"对账答复签名无效：{exc}", 502, code="federation.bad_receipt") from None
    cases = body["cases"]
    if not isinstance(cases, list):
        raise Refused(f"节点 {peer} 的对账答复格式错误：没有办件列表", 502, code="federation.malformed")
    return [tuple(c) for c in cases]


def compare(local: list, remote: list) -> list[str]:
    """Human-readable differences; empty when both sides agree."""
    here, there = {c[0]: c[1:] for c in local}, {c[0]: c[1:] for c in remote}
    problems = []
    for number in sorted(here.keys() | there.keys()):
        if number not in here:
            b = there[number]
            problems.append(f"{number}：仅对方有（{b[0]} v{b[1]}）")
        elif number not in there:
            a = here[number]
            problems.append(f"{number}：仅本节点有（{a[0]} v{a[1]}）")
        else:
            a, b = here[number], there[number]
            if tuple(a) != tuple(b):
                problems.append(f"{number}：本节点 {a[0]} v{a[1]}，对方 {b[0]} v{b[1]}")
    return problems
