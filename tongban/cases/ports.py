"""What the cases app needs from the federation layer above it, as a port (依赖倒置).

The cases app sits below the federation app and must not import it. Whatever a case action needs
to know about other nodes goes through `federation()`: the implementation named by the setting
`TONGBAN_CASE_FEDERATION` (a dotted path; settings.py names the federation app's `caseport.Federation`).
Calls are explicit, inside the action's transaction where they write — no signals.

`LocalOnly` is a node that knows nothing of other nodes and of 审批交叉授权: no holder problems, no
replication, no delegations (receipt under a delegation is refused, none is offered). The default
`Federation` behaves like it on a node that is not federated *except for delegations*: Delegation rows
exist on a single node too (the single-node demo issues them), so it still checks them.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from tongban.core.errors import Invalid

if TYPE_CHECKING:
    from tongban.cases.models import Case, JointTask
    from tongban.catalog.models import Department, Item, Region
    from tongban.core.typing import Actor


class DelegationRefused(Invalid):
    """The delegation does not allow this (unknown, revoked, expired, another item or department). The
    message says why; the case action prefixes it with what was refused."""

    code = "case.delegation_invalid"


class CaseFederation(Protocol):
    def holder_problem(self, case: Case) -> str | None:
        """Why this node may not change the case now (another node holds it), or None."""

    def elsewhere(self, region: Region) -> str | None:
        """The name and address of the node serving `region` if that is not this node, else None."""

    def replicate(self, case: Case) -> None:
        """Queue the case's new state for the other nodes that keep a copy (inside the change's transaction)."""

    def has_peers(self, case: Case) -> bool:
        """Other nodes keep a copy of this case."""

    def send_joint_task(self, user: Actor, task: JointTask, note: str) -> str:
        """Send this node's part of a 多地联办 case to the node holding it; returns that node's id."""

    def joint_task_sent(self, task: JointTask) -> bool:
        """This node's part of a cross-node 多地联办 case is on its way to the holding node."""

    def check_delegation(self, delegation_id: str, *, item: Item, department: Department | None,
                         on: datetime.date, delegating_region: str | None = None) -> Department:
        """The delegate department, if the delegation lets it act on `item` on `on`; else `DelegationRefused`."""

    def usable_delegations(self, item: Item, on: datetime.date) -> list[Any]:
        """Delegations a window may receive `item` under on `on` (for the receipt form)."""

    def tells_applicant(self, case: Case) -> bool:
        """This node is the one that tells the applicant about the case (SMS, rating invitation): the
        receiving node, so a case spanning two nodes messages the applicant once."""

    def send_supplement(self, user: Actor, case: Case, notice_at: datetime.datetime, files: list[dict]) -> str:
        """网上补正 of a case another node holds: queue the files (stored in the blob store already) and the
        step for the holder, inside the caller's transaction; returns the holder's id."""

    def supplement_sent(self, case: Case, notice_at: datetime.datetime) -> bool:
        """The applicant's 补正 for the notice of `notice_at` is on its way to the holding node."""


class LocalOnly:
    """One node, no federation and no 审批交叉授权."""

    def holder_problem(self, case: Case) -> str | None:
        return None

    def elsewhere(self, region: Region) -> str | None:
        return None

    def replicate(self, case: Case) -> None:
        return None

    def has_peers(self, case: Case) -> bool:
        return False

    def send_joint_task(self, user: Actor, task: JointTask, note: str) -> str:
        raise RuntimeError("a single node holds every case: joint tasks are done here")

    def joint_task_sent(self, task: JointTask) -> bool:
        return False

    def check_delegation(self, delegation_id: str, *, item: Item, department: Department | None,
                         on: datetime.date, delegating_region: str | None = None) -> Department:
        raise DelegationRefused(f"本节点不办理审批委托（{delegation_id}）")

    def usable_delegations(self, item: Item, on: datetime.date) -> list[Any]:
        return []

    def tells_applicant(self, case: Case) -> bool:
        return True

    def send_supplement(self, user: Actor, case: Case, notice_at: datetime.datetime, files: list[dict]) -> str:
        raise RuntimeError("a single node holds every case: the 补正 is recorded here")

    def supplement_sent(self, case: Case, notice_at: datetime.datetime) -> bool:
        return False


@cache
def _load(path: str) -> CaseFederation:
    return import_string(path)()


def federation() -> CaseFederation:
    """The implementation named by `TONGBAN_CASE_FEDERATION` (read on each call, so tests may override it)."""
    return _load(settings.TONGBAN_CASE_FEDERATION)


# ---- listeners: what the layers above do when a case changes (tell the applicant, invite a rating) ----

class CaseListener(Protocol):
    def __call__(self, case: Case, before: str) -> None:
        """`case` (fresh) changed on this node — by an action here or a peer's update applied here; `before`
        is its state before ("" for a new case). Called inside the change's transaction."""


@cache
def _listeners(paths: tuple[str, ...]) -> list[CaseListener]:
    return [import_string(path) for path in paths]


def case_changed(case: Case, before: str) -> None:
    """Call every function named by the setting `TONGBAN_CASE_LISTENERS`, in order, inside the change's
    transaction (explicit calls, no signals: the setting is the list of who listens)."""
    for listener in _listeners(tuple(getattr(settings, "TONGBAN_CASE_LISTENERS", ()))):
        listener(case, before)
