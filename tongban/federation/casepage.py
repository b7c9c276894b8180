"""What the case page shows about a case that spans two nodes: where it is, and its messages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tongban.cases.models import Case, State
from tongban.federation import keys, routing, trust
from tongban.federation.models import InboxMessage, OutboxMessage


@dataclass
class Hop:
    at: datetime.datetime
    direction: str  # "发出" / "收到"
    peer: str
    seq: int
    state: str
    status: str


def case_exchange(case: Case) -> dict | None:
    """None for a case that lives on this node only."""
    if not routing.peers_of(case):
        return None
    holder = routing.holder_of(case)
    labels = dict(State.choices)
    hops = [Hop(m.created_at, "发出", trust.node_name(m.recipient), m.seq, labels.get(m.body.get("state"), ""),
                "已确认" if m.acked_at else ("发送失败，重试中" if m.attempts else "待发送"))
            for m in OutboxMessage.objects.filter(case_number=case.number)]
    hops += [Hop(m.received_at, "收到", trust.node_name(m.sender), m.seq, "", m.get_status_display()
                 + (f"：{m.reason}" if m.reason else ""))
             for m in InboxMessage.objects.filter(case_number=case.number)]
    hops.sort(key=lambda h: h.at)
    name = trust.node_name
    return {"here": name(keys.node_id()), "holder": name(holder), "held_here": holder == keys.node_id(),
            "receiving": name(routing.receiving_node(case)), "competent": name(routing.competent_node(case)),
            "hops": hops}
