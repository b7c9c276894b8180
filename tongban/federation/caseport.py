"""The cases app's port to the federation (`tongban.cases.ports.CaseFederation`), implemented with the
federation's own modules: routing (who holds a case), the outbox (replication, joint-task parts) and
审批交叉授权 (delegations). Named by the setting `TONGBAN_CASE_FEDERATION`.

On a node that is not federated, routing says "no holder problem, no peers" and nothing is queued;
Delegation rows are still checked (a single node issues and uses them too).
"""

from __future__ import annotations

import datetime

from tongban.cases.models import Case, JointTask
from tongban.cases.ports import DelegationRefused
from tongban.catalog.models import Department, Item, Region
from tongban.core import clock
from tongban.core.typing import Actor
from tongban.federation import casefiles, delegations, keys, routing, trust
from tongban.federation.models import Delegation, OutboxMessage
from tongban.federation.outbox import enqueue, enqueue_case


class Federation:
    def holder_problem(self, case: Case) -> str | None:
        return routing.holder_problem(case)

    def elsewhere(self, region: Region) -> str | None:
        return routing.elsewhere(region)

    def replicate(self, case: Case) -> None:
        enqueue_case(case)

    def has_peers(self, case: Case) -> bool:
        return bool(routing.peers_of(case))

    def send_joint_task(self, user: Actor, task: JointTask, note: str) -> str:
        holder = routing.holder_of(task.case)
        enqueue(holder, "case.joint_task", {
            "case": task.case.number, "department": task.department.name, "region": task.department.region.code,
            "note": note, "done_by": user.get_username(), "done_at": clock.now().isoformat()}, task.case.number)
        return holder

    def joint_task_sent(self, task: JointTask) -> bool:
        return OutboxMessage.objects.filter(kind="case.joint_task", case_number=task.case.number,
                                            body__department=task.department.name).exists()

    def check_delegation(self, delegation_id: str, *, item: Item, department: Department | None,
                         on: datetime.date, delegating_region: str | None = None) -> Department:
        try:
            delegation = delegations.check_valid(delegation_id, item=item, department=department, on=on,
                                                 delegating_region=delegating_region)
        except delegations.DelegationError as exc:
            raise DelegationRefused(str(exc)) from None
        return delegation.department

    def usable_delegations(self, item: Item, on: datetime.date) -> list[Delegation]:
        return delegations.usable(item, on)

    def tells_applicant(self, case: Case) -> bool:
        return routing.receiving_node(case) == keys.node_id() if trust.federated() else True

    def send_supplement(self, user: Actor, case: Case, notice_at: datetime.datetime, files: list[dict]) -> str:
        """The files' bytes first, then the step (federation/casefiles.py applies it at the holder)."""
        holder = routing.holder_of(case)
        queued = casefiles.queued_blobs(holder, case.number)
        for f in files:
            if f["sha256"] not in queued:
                queued.add(f["sha256"])
                enqueue(holder, casefiles.KIND, casefiles.blob_body(f["sha256"], f["mime"], f["size"]), case.number)
        enqueue(holder, casefiles.SUPPLEMENT, {"case": case.number, "notice": notice_at.isoformat(), "files": files,
                                              "by": user.get_username(), "at": clock.now().isoformat()}, case.number)
        return holder

    def supplement_sent(self, case: Case, notice_at: datetime.datetime) -> bool:
        return casefiles.supplement_sent(case, notice_at)
