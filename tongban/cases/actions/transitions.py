"""The steps of a case (受理、补正、中止、决定…): `do_transition` and, per action, the field changes it makes.

The table is `common.MACHINE`; each action with its own rules has one small function in `CHANGES`
returning the validated field changes and, optionally, what to write with them (related rows).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tongban.calendar.actions import YearNotLoaded, add_workdays, workdays_between
from tongban.cases.actions.access import check_actor, is_online_applicant, signed_in
from tongban.cases.actions.common import ACTION_LABELS, CLOCK_RUNNING, MACHINE, check_holder
from tongban.cases.models import Case, JointTask, Outcome, State, SupplementNotice
from tongban.cases.ports import DelegationRefused, case_changed, federation
from tongban.catalog.models import Competence, Mode
from tongban.core import clock
from tongban.core.errors import Invalid, Unavailable
from tongban.core.typing import Actor, User

After = Callable[[Case], None]


@dataclass
class Request:
    """One action asked for: who, on which case, on which day, with which parameters."""

    user: Actor
    case: Case
    action: str
    on: datetime.date
    params: dict[str, Any]

    def text(self, name: str) -> str:
        return str(self.params.get(name, "") or "").strip()


@dataclass
class Change:
    fields: dict[str, Any] = field(default_factory=dict)
    after: After | None = None  # related rows, written in the transaction of the change


def do_transition(user: Actor, case: Case, action: str, *, expected_version: int | None = None,
                  **params: Any) -> Case:
    """Apply one action to a case: check access and state, compare-and-set, audit. Returns the fresh case.

    `expected_version` (from the page or API the officer acted on) makes a stale screen fail instead of
    acting on a case that changed meanwhile. Locks: none held; the conditional UPDATE decides.
    """
    MACHINE.step(action)  # an unknown action: case.unknown_action
    check_actor(user, case, action)
    return _take(user, case, action, expected_version, params)


def do_peer_transition(stand_in: User, case: Case, action: str, **params: Any) -> Case:
    """Record on this node, which holds the case, a step a person took on the other node: the applicant's
    online 补正 sent from their own node (federation/casefiles.py). The federation inbox has checked the
    sender; `stand_in` is that person's inactive local stand-in ("<node>/<username>"), so no local access
    rule applies. State, holder, compare-and-set and audit as for `do_transition`."""
    return _take(stand_in, case, action, None, params)


def _take(user: Actor, case: Case, action: str, expected_version: int | None, params: dict[str, Any]) -> Case:
    step = MACHINE.step(action)
    MACHINE.check(case, action)
    check_holder(case)
    change = CHANGES.get(action, _no_change)(Request(user, case, action, clock.today(), params))
    port = federation()
    before = case.state

    def after(fresh: Case) -> None:
        if change.after:
            change.after(fresh)
        # the listeners first: what they send the other nodes (a signed result) arrives before the update
        case_changed(fresh, before)
        port.replicate(fresh)

    return MACHINE.apply(
        case, action, actor=user.get_username(), target=step.target or case.resume_state,
        expected_version=expected_version, changes={**change.fields, "updated_at": clock.now()},
        data={k: v for k, v in params.items() if isinstance(v, str | int | list)}, after=after)


# ---- one function per action ---------------------------------------------------------------------

def _no_change(request: Request) -> Change:
    return Change()


def _check_delegation(request: Request) -> None:
    """A revoked or expired delegation stops the delegate department from acting."""
    case = request.case
    if not case.delegation:
        return
    try:
        federation().check_delegation(case.delegation, item=case.item, department=case.competent_department,
                                      on=request.on)
    except DelegationRefused as exc:
        raise Invalid(f"不能依委托{ACTION_LABELS[request.action]}：{exc.message}",
                      code="case.delegation_invalid") from None


def _accept(request: Request) -> Change:
    _check_delegation(request)
    case = request.case
    try:  # the legal due date must be computable: a year without a loaded calendar is refused, never guessed
        add_workdays(request.on, case.legal_limit_days or 0)
    except YearNotLoaded as exc:
        raise Unavailable(f"不能受理：{exc}", code="case.year_not_loaded") from None
    return Change({"accepted_on": request.on}, _open_joint_tasks if case.mode == Mode.JOINT else None)


def _refuse(request: Request) -> Change:
    reason, basis = request.text("reason"), request.text("basis")
    if not reason or not basis:
        raise Invalid("不予受理须写明理由和法律依据", code="case.refuse_reason_required")
    return Change({"refusal_reason": reason, "refusal_basis": basis[:200]})


def _request_supplement(request: Request) -> Change:
    case = request.case
    missing = [m.strip() for m in request.params.get("missing", []) if m and m.strip()]
    if not missing:
        raise Invalid("补正告知须一次性列明所有需补正的材料", code="case.supplement_missing_required")
    fields: dict[str, Any] = {"resume_state": case.state}
    if case.state in CLOCK_RUNNING:
        fields["paused_since"] = request.on
    requested_by = signed_in(request.user)

    def notice(fresh: Case) -> None:
        SupplementNotice.objects.create(case=fresh, missing=missing, note=request.params.get("note", ""),
                                        requested_at=clock.now(), requested_by=requested_by)
    return Change(fields, notice)


def _supplement_received(request: Request) -> Change:
    if is_online_applicant(request.user, request.case) and not request.params.get("files"):
        # the applicant resumes the case only by uploading what was asked for (materials.do_supplement_online)
        raise Invalid("请上传补正告知所列的全部材料后再提交", code="case.materials_missing")

    def fulfilled(fresh: Case) -> None:
        SupplementNotice.objects.filter(case=fresh, fulfilled_at__isnull=True).update(fulfilled_at=clock.now())
    return Change({**_end_pause(request.case, request.on), "resume_state": ""}, fulfilled)


def _suspend(request: Request) -> Change:
    reason = request.text("reason")
    if not reason:
        raise Invalid("中止须写明理由", code="case.suspend_reason_required")
    return Change({"paused_since": request.on, "resume_state": State.IN_REVIEW, "suspension_reason": reason[:200]})


def _resume(request: Request) -> Change:
    return Change({**_end_pause(request.case, request.on), "resume_state": ""})


def _decide(request: Request) -> Change:
    _check_delegation(request)
    case = request.case
    pending = [t.department.name for t in case.joint_tasks.select_related("department")
               if t.state == JointTask.State.PENDING and t.department_id != case.competent_department_id]
    if pending:
        raise Invalid(f"多地联办：{'、'.join(pending)} 尚未完成协同办理，暂不能作出决定",
                      code="case.joint_tasks_pending")
    outcome = request.params.get("outcome", "")
    if outcome not in Outcome.values:
        raise Invalid("办理结果应为 approved（准予）或 denied（不予）", code="case.outcome_invalid")
    if outcome == Outcome.DENIED and not request.text("note"):
        raise Invalid("不予办理须说明理由", code="case.denial_note_required")
    return Change({"outcome": outcome, "decision_note": request.params.get("note", ""), "decided_on": request.on})


def _deliver(request: Request) -> Change:
    return Change({"delivered_at": clock.now()})


CHANGES: dict[str, Callable[[Request], Change]] = {
    "accept": _accept, "refuse": _refuse, "request_supplement": _request_supplement,
    "supplement_received": _supplement_received, "suspend": _suspend, "resume": _resume, "decide": _decide,
    "deliver": _deliver,
}


def _open_joint_tasks(case: Case) -> None:
    """One task per region's competent department of the item (多地联办)."""
    for competence in Competence.objects.filter(item=case.item).select_related("department", "region"):
        own = competence.department_id == case.competent_department_id
        JointTask.objects.get_or_create(case=case, department=competence.department, defaults={
            "task": "审查并作出决定" if own else f"协同核查（{competence.region.short_name}）"})


def _end_pause(case: Case, on: datetime.date) -> dict[str, Any]:
    if not case.paused_since:
        return {}
    try:
        paused = workdays_between(case.paused_since, on)
    except YearNotLoaded as exc:
        raise Unavailable(f"不能恢复计时：{exc}", code="case.year_not_loaded") from None
    return {"paused_workdays": case.paused_workdays + paused, "paused_since": None}
