"""The step table of a case and what every family of case actions shares.

The table (`MACHINE`) says from which states an action may start and where it leads; `access.check_actor`
says who may take it. A case that spans two nodes may be changed only on the node that holds it now
(`check_holder`); a change to its related rows gives the other nodes' copies a new version
(`replicate_related`). Both go through the federation port (`tongban.cases.ports`).
"""

from __future__ import annotations

from django.db.models import F

from tongban.cases.models import Case, State
from tongban.cases.ports import federation
from tongban.core import clock
from tongban.core.errors import BadTransition
from tongban.core.transitions import StateMachine, Step

MAX_EXTENSION_DAYS = 10  # cf. 《行政许可法》第四十二条: 20 working days, extendable by 10 with approval
CLOCK_RUNNING = {State.ACCEPTED, State.IN_REVIEW}

# target None = back to the case's `resume_state` (the state it paused in)
STEPS: dict[str, Step] = {
    "forward": Step(frozenset({State.SUBMITTED}), State.FORWARDED, "预审转交"),
    "accept": Step(frozenset({State.SUBMITTED, State.FORWARDED}), State.ACCEPTED, "受理"),
    "refuse": Step(frozenset({State.SUBMITTED, State.FORWARDED}), State.REFUSED, "不予受理"),
    "request_supplement": Step(frozenset({State.SUBMITTED, State.FORWARDED, State.ACCEPTED, State.IN_REVIEW}),
                               State.SUPPLEMENT, "一次性告知补正"),
    "supplement_received": Step(frozenset({State.SUPPLEMENT}), None, "补正材料已收"),
    "start_review": Step(frozenset({State.ACCEPTED}), State.IN_REVIEW, "开始审查"),
    "suspend": Step(frozenset({State.ACCEPTED, State.IN_REVIEW}), State.SUSPENDED, "中止"),
    "resume": Step(frozenset({State.SUSPENDED}), None, "恢复办理"),
    "decide": Step(frozenset({State.ACCEPTED, State.IN_REVIEW}), State.DECIDED, "作出决定"),
    "deliver": Step(frozenset({State.DECIDED, State.REFUSED}), State.DELIVERED, "送达结果"),
    "archive": Step(frozenset({State.DELIVERED}), State.ARCHIVED, "归档"),
}
MACHINE: StateMachine[Case] = StateMachine(Case, STEPS, area="case", noun=lambda case: f"办件 {case.number}",
                                           subject=lambda case: f"case:{case.number}")
ACTION_LABELS: dict[str, str] = MACHINE.labels


def check_holder(case: Case) -> None:
    """On a federated node, only the node that holds the case now may change it (federation/routing.py)."""
    problem = federation().holder_problem(case)
    if problem:
        raise BadTransition(problem, code="case.not_holder")


def replicate_related(case: Case) -> None:
    """A change to a case's related rows (extension, joint task): a new version for the other node's copy."""
    port = federation()
    if not port.has_peers(case):
        return
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=clock.now())
    port.replicate(Case.objects.get(pk=case.pk))
