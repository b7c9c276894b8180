"""Which node a case belongs to, and which node may act on it now (the holder).

A case received in one region for an item of another may span two nodes. Exactly one node acts on it
at a time, so the two copies never diverge:

- the receiving node while it is being received and pre-checked (已收件, or 待补正 before forwarding),
  and again when the result goes back to its window (已办结 / 不予受理 with window delivery);
- the competent node from forwarding until the decision, and after delivery (归档).

The holder follows from the state, which both nodes share, so handing over needs no extra message:
the update that moves the state moves the case. A 全程网办 case (applied for online on the applicant's own
node, for an item of either region) has no window step: the competent node holds it throughout.
"""

from __future__ import annotations

from tongban.cases.models import Case, Delivery, State
from tongban.catalog.models import Competence, Mode, Region
from tongban.federation import keys, trust


def node_of(region: Region) -> str:
    parent = region.parent.code if region.parent is not None else None
    return trust.node_for_region(region.code, parent)


def receiving_node(case: Case) -> str:
    return node_of(case.receiving_region)


def competent_node(case: Case) -> str:
    return node_of(case.competent_region)


def holder_of(case: Case) -> str:
    if case.mode == Mode.ONLINE:  # 全程网办: no window pre-check; the competent node works it from the start
        return competent_node(case)
    at_window = (case.state == State.SUBMITTED
                 or (case.state == State.SUPPLEMENT and case.resume_state == State.SUBMITTED)
                 or (case.state in (State.DECIDED, State.REFUSED) and case.delivery == Delivery.WINDOW))
    return receiving_node(case) if at_window else competent_node(case)


def peers_of(case: Case) -> list[str]:
    """The other nodes that keep a copy of the case: receiving, competent, (审批交叉授权) delegating, and
    for 多地联办 every region's node whose department takes part."""
    if not trust.federated():
        return []
    nodes = [receiving_node(case), competent_node(case)]
    if case.delegating_region is not None:
        nodes.append(node_of(case.delegating_region))
    if case.mode == Mode.JOINT:
        nodes += [node_of(c.region) for c in Competence.objects.filter(item_id=case.item_id).select_related(
            "region__parent")]
    return sorted(set(nodes) - {keys.node_id()})


def holder_problem(case: Case) -> str | None:
    """Why this node may not change the case now, or None if it may."""
    if not trust.federated():
        return None
    holder = holder_of(case)
    if holder == keys.node_id():
        return None
    return f"办件 {case.number} 当前由“{trust.node_name(holder)}”办理，本节点的副本只读"


def elsewhere(region: Region) -> str | None:
    """The name and URL of the node serving `region` if that is not this node, else None."""
    if not trust.federated():
        return None
    node_id = node_of(region)
    if node_id == keys.node_id():
        return None
    try:
        node = trust.node(node_id)
    except trust.TrustError:
        return node_id
    return f"“{node.name}”（{node.url}/）"
