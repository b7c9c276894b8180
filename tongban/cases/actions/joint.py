"""多地联办: each region's competent department of the item does its part (a `JointTask`)."""

from __future__ import annotations

from django.db import transaction

from tongban.accounts.models import Role, profile_of
from tongban.audit.actions import do_append
from tongban.cases.actions.common import replicate_related
from tongban.cases.models import JointTask
from tongban.cases.ports import federation
from tongban.core import clock
from tongban.core.errors import Conflict, Invalid, NotAllowed
from tongban.core.typing import Actor


def check_joint_task(user: Actor, task: JointTask, *, note: str) -> None:
    profile = profile_of(user)
    if not (profile and profile.role == Role.APPROVER and profile.department_id == task.department_id):
        raise NotAllowed("只有该部门的审批人员可以办理本联办任务", code="case.not_allowed")
    if not note.strip():
        raise Invalid("请填写办理意见", code="case.joint_note_required")
    if task.state != JointTask.State.PENDING:
        raise Conflict("该联办任务已完成", code="case.joint_task_done")


def do_complete_joint_task(user: Actor, task: JointTask, *, note: str) -> JointTask:
    """A department does its part of a 多地联办 case. Locks: none; a conditional UPDATE decides.

    On a node that does not hold the case (the other region's department, federated), the part is sent
    to the holding node as a `case.joint_task` message and shows as done when the case comes back.
    """
    check_joint_task(user, task, note=note)
    if federation().holder_problem(task.case):
        return _send_joint_task(user, task, note.strip())
    with transaction.atomic():
        if not JointTask.objects.filter(pk=task.pk, state=JointTask.State.PENDING).update(
                state=JointTask.State.DONE, note=note.strip(), done_by=user, done_at=clock.now()):
            raise Conflict("该联办任务已完成", code="case.joint_task_done")
        replicate_related(task.case)
        do_append(at=clock.now(), actor=user.get_username(), action="case.joint_task_done",
                  subject=f"case:{task.case.number}", data={"department": task.department.name, "note": note})
    task.refresh_from_db()
    return task


def _send_joint_task(user: Actor, task: JointTask, note: str) -> JointTask:
    port = federation()
    if port.joint_task_sent(task):
        raise Conflict("该联办任务已提交至审批地节点，等待确认", code="case.joint_task_sent")
    with transaction.atomic():
        holder = port.send_joint_task(user, task, note)
        do_append(at=clock.now(), actor=user.get_username(), action="case.joint_task_sent",
                  subject=f"case:{task.case.number}", data={"department": task.department.name, "to": holder})
    return task


def joint_task_sent(task: JointTask) -> bool:
    """This node's part of a cross-node 多地联办 case is on its way to the holding node."""
    return federation().joint_task_sent(task)
