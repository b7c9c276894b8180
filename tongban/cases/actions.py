"""Case operations. `check_*` validate and check access; `do_*` write, inside one transaction,
with the audit entry of the change.

Every state change is a compare-and-set: ``UPDATE … WHERE id = ? AND state = ? AND version = ?``.
When two officers act on the same case at once, one update matches and wins; the other matches no
row and gets `Conflict` ("已被他人处理") — nothing of theirs is applied.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.accounts.models import Role, StaffProfile, profile_of
from tongban.audit.actions import do_append
from tongban.calendar.actions import YearNotLoaded, add_workdays, workdays_between
from tongban.cases.models import (
    ApplicantKind,
    Case,
    CaseCounter,
    Delivery,
    Extension,
    JointTask,
    Outcome,
    State,
    SupplementNotice,
)
from tongban.catalog.models import Competence, Item, ItemVersion, Mode, Region
from tongban.core.identity import InvalidIdentifier, check_credit_code, check_phone, check_resident_id
from tongban.federation import routing
from tongban.federation.delegations import DelegationError, check_valid
from tongban.federation.models import OutboxMessage
from tongban.federation.outbox import enqueue, enqueue_case

MAX_EXTENSION_DAYS = 10  # cf. 《行政许可法》第四十二条: 20 working days, extendable by 10 with approval


class CaseError(Exception):
    """Refused; the message is for the user. `status` is the HTTP status the API answers with."""

    status = 422


class NotAllowed(CaseError):
    status = 403


class BadTransition(CaseError):
    status = 409


class Conflict(CaseError):
    status = 409


# action → (states it may start from, state it leads to; None = back to `resume_state`)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "forward": (frozenset({State.SUBMITTED}), State.FORWARDED),
    "accept": (frozenset({State.SUBMITTED, State.FORWARDED}), State.ACCEPTED),
    "refuse": (frozenset({State.SUBMITTED, State.FORWARDED}), State.REFUSED),
    "request_supplement": (frozenset({State.SUBMITTED, State.FORWARDED, State.ACCEPTED, State.IN_REVIEW}),
                           State.SUPPLEMENT),
    "supplement_received": (frozenset({State.SUPPLEMENT}), None),
    "start_review": (frozenset({State.ACCEPTED}), State.IN_REVIEW),
    "suspend": (frozenset({State.ACCEPTED, State.IN_REVIEW}), State.SUSPENDED),
    "resume": (frozenset({State.SUSPENDED}), None),
    "decide": (frozenset({State.ACCEPTED, State.IN_REVIEW}), State.DECIDED),
    "deliver": (frozenset({State.DECIDED, State.REFUSED}), State.DELIVERED),
    "archive": (frozenset({State.DELIVERED}), State.ARCHIVED),
}
ACTION_LABELS = {
    "forward": "预审转交", "accept": "受理", "refuse": "不予受理", "request_supplement": "一次性告知补正",
    "supplement_received": "补正材料已收", "start_review": "开始审查", "suspend": "中止", "resume": "恢复办理",
    "decide": "作出决定", "deliver": "送达结果", "archive": "归档",
}
CLOCK_RUNNING = {State.ACCEPTED, State.IN_REVIEW}


def now() -> datetime.datetime:
    """The time of an action: case timestamps and its audit entry. (The demo replaces it to back-date.)"""
    return timezone.now()


def today() -> datetime.date:
    """The date the legal clock counts from, in the node's time zone."""
    return timezone.localdate(now())


# ---- who may do what -----------------------------------------------------------------------------

def is_window_of(profile: StaffProfile | None, case: Case) -> bool:
    return bool(profile and profile.role == Role.WINDOW and case.receiving_centre_id
                and profile.centre_id == case.receiving_centre_id)


def is_bank_of(profile: StaffProfile | None, case: Case) -> bool:
    """政银合作: the bank outlet that received the case (receipt and forwarding only)."""
    return bool(profile and profile.role == Role.BANK and profile.channel_id
                and profile.channel_id == case.receiving_channel_id)


def is_approver_of(profile: StaffProfile | None, case: Case) -> bool:
    return bool(profile and profile.role == Role.APPROVER and profile.department_id == case.competent_department_id)


def is_admin_of(profile: StaffProfile | None, region: Region) -> bool:
    return bool(profile and profile.role == Role.ADMIN and profile.region_id == region.pk)


def can_view(user, case: Case) -> bool:
    """Citizens their own cases; windows their centre's; approvers their department's; admins their region's."""
    profile = profile_of(user)
    if profile is None:
        return bool(getattr(user, "is_authenticated", False) and case.applicant_user_id == user.pk)
    if profile.role == Role.APPROVER and case.joint_tasks.filter(department_id=profile.department_id).exists():
        return True  # a department doing its part of a 多地联办 case
    admin_regions = (case.competent_region_id, case.receiving_region_id, case.receiving_region.parent_id,
                     case.delegating_region_id)  # a region sees what it delegated (审批交叉授权)
    return (is_window_of(profile, case) or is_approver_of(profile, case) or is_bank_of(profile, case)
            or (profile.role == Role.ADMIN and profile.region_id in admin_regions))


def check_actor(user, case: Case, action: str) -> StaffProfile:
    profile = profile_of(user)
    approver = is_approver_of(profile, case)
    window = is_window_of(profile, case)
    allowed = {
        "forward": window or is_bank_of(profile, case),  # a bank outlet receives and forwards, never decides
        "request_supplement": approver or (window and case.accepted_on is None),
        "supplement_received": approver or window,
        "deliver": window or (approver and case.delivery != Delivery.WINDOW),
        "archive": approver or is_admin_of(profile, case.competent_region),
    }.get(action, approver)
    if not allowed:
        raise NotAllowed(f"您无权对办件 {case.number} 执行“{ACTION_LABELS.get(action, action)}”")
    return profile


# ---- receipt -------------------------------------------------------------------------------------

@dataclass
class Application:
    item_code: str
    competent_region: str  # 区划代码 of the region whose item is applied for
    applicant_kind: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_credit_code: str = ""
    mode: str = ""
    delivery: str = Delivery.WINDOW
    delivery_address: str = ""
    materials_checked: list[str] = field(default_factory=list)
    delegation: str = ""  # 审批交叉授权: received for the delegate department named by this delegation


def check_application(user, app: Application) -> dict:
    """Validate an application and work out where it is received and who decides it."""
    errors: list[str] = []
    try:
        id_number = check_resident_id(app.applicant_id_number)
    except InvalidIdentifier as exc:
        errors.append(f"身份证号：{exc}")
        id_number = ""
    try:
        phone = check_phone(app.applicant_phone)
    except InvalidIdentifier as exc:
        errors.append(f"联系电话：{exc}")
        phone = ""
    credit_code = ""
    if app.applicant_kind == ApplicantKind.ENTERPRISE:
        try:
            credit_code = check_credit_code(app.applicant_credit_code)
        except InvalidIdentifier as exc:
            errors.append(f"统一社会信用代码：{exc}")
    elif app.applicant_kind != ApplicantKind.PERSON:
        errors.append("申请人类型应为 person（个人）或 enterprise（企业）")
    if not app.applicant_name.strip() or len(app.applicant_name) > 100:
        errors.append("申请人姓名为空或过长")
    if app.delivery not in Delivery.values:
        errors.append("送达方式应为 window、post 或 electronic")
    elif app.delivery == Delivery.POST and not app.delivery_address.strip():
        errors.append("邮寄送达须填写邮寄地址")
    item = Item.objects.filter(code=app.item_code).first()
    if item is None:
        raise CaseError(f"未知事项：{app.item_code}")
    competence = Competence.objects.select_related("department", "region").filter(
        item=item, region__code=app.competent_region).first()
    if competence is None:
        raise CaseError(f"事项“{item.name}”在区域 {app.competent_region} 没有主管部门，不能在此办理")
    competent_region, competent_department, delegating_region = competence.region, competence.department, None
    if app.delegation:
        try:
            delegation = check_valid(app.delegation, item=item, department=None, on=today(),
                                     delegating_region=competence.region.code)
        except DelegationError as exc:
            raise CaseError(f"不能依委托收件：{exc}") from None
        competent_region, competent_department = delegation.department.region, delegation.department
        delegating_region = competence.region
    profile = profile_of(user)
    if profile is not None and profile.role == Role.WINDOW:
        centre = profile.centre
        if centre is None:
            raise CaseError("您的窗口人员账号没有配置所在服务中心，请联系管理员")
        if app.mode == Mode.ONLINE:
            errors.append("窗口收件的模式应为异地代收代办或多地联办；全程网办由申请人在线提交")
        # a window receipt is 异地代收代办 unless 多地联办 is asked for (or is all the item offers)
        mode = app.mode or (Mode.PROXY if item.mode_proxy or not item.mode_joint else Mode.JOINT)
        channel = centre.channels.filter(kind="window").first()
        region = centre.region
    elif profile is not None and profile.role == Role.BANK:  # 政银合作: delegated receipt rights only
        channel = profile.channel
        if channel is None or channel.kind != "bank":
            raise CaseError("您的银行网点账号没有配置所在网点，请联系管理员")
        if not item.via_bank:
            errors.append(f"事项“{item.name}”不在银行网点代收范围内，请到区域通办专窗办理")
        if app.mode and app.mode != Mode.PROXY:
            errors.append("银行网点只能代收代办（异地代收代办）")
        if app.delivery == Delivery.WINDOW:  # an outlet hands nothing out: it never holds a result
            errors.append("银行网点代收的申请，结果须邮寄或以电子证照送达")
        centre, region, mode = None, channel.region, Mode.PROXY
    elif profile is None and getattr(user, "is_authenticated", False):
        centre, channel, region, mode = None, None, competence.region, Mode.ONLINE
        if app.delegation:
            errors.append("依委托办理的申请须到区域通办专窗提交")
        if not item.mode_online:
            errors.append(f"事项“{item.name}”不支持全程网办，请到任一区域通办专窗办理")
        elsewhere = routing.elsewhere(competence.region)
        if elsewhere:
            errors.append(f"全程网办事项由审批地节点受理，请到{elsewhere}在线申请")
    else:
        raise NotAllowed("只有窗口人员和已登录的申请人可以提交办件")
    if mode not in item.modes:
        errors.append(f"事项“{item.name}”不提供“{mode}”模式；可选：{'、'.join(item.modes) or '无'}")
    version = ItemVersion.objects.get(item=item, version=item.version)
    listed = {m["name"] for m in version.snapshot["materials"]}
    unknown = [m for m in app.materials_checked if m not in listed]
    if unknown:
        errors.append(f"核验的材料不在本事项的审批标准中：{'、'.join(unknown[:5])}")
    if errors:
        raise CaseError("；".join(errors))
    return dict(
        item=item, item_version=version, mode=mode, receiving_region=region, receiving_centre=centre,
        receiving_channel=channel, competent_region=competent_region, competent_department=competent_department,
        delegation=app.delegation, delegating_region=delegating_region,
        applicant_kind=app.applicant_kind, applicant_name=app.applicant_name.strip(), applicant_id_number=id_number,
        applicant_phone=phone, applicant_credit_code=credit_code, delivery=app.delivery,
        delivery_address=app.delivery_address.strip()[:200], materials_checked=sorted(set(app.materials_checked)),
        legal_limit_days=item.legal_limit_days, promised_limit_days=item.promised_limit_days,
    )


def do_receive(user, app: Application) -> Case:
    """Create a case (收件). Locks the year's case counter while issuing the number."""
    fields = check_application(user, app)
    at = now()
    with transaction.atomic():
        case = Case.objects.create(
            number=_next_number(timezone.localdate(at).year), received_at=at, created_by=user,
            applicant_user=user if profile_of(user) is None else None, **fields)
        enqueue_case(case)  # a case for another node's item: that node gets its copy (read-only until forwarded)
        do_append(at=now(), actor=user.get_username(), action="case.receive", subject=f"case:{case.number}",
                  data={"item": case.item.code, "item_version": case.item_version.version, "mode": case.mode,
                        "receiving_region": case.receiving_region.code,
                        "competent_department": case.competent_department.name,
                        "id_number": case.applicant_id_number, "phone": case.applicant_phone})
    return case


def _next_number(year: int) -> str:
    CaseCounter.objects.get_or_create(year=year)
    counter = CaseCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    # the prefix tells the nodes apart (TZ 通州, LF 廊坊): numbers stay unique when cases travel
    return f"{settings.TONGBAN_CASE_PREFIX}{year}{counter.last:07d}"


# ---- transitions ---------------------------------------------------------------------------------

def do_transition(user, case: Case, action: str, *, expected_version: int | None = None, **params) -> Case:
    """Apply one action to a case: check access and state, compare-and-set, audit. Returns the fresh case.

    `expected_version` (from the page or API the officer acted on) makes a stale screen fail instead of
    acting on a case that changed meanwhile. Locks: none held; the conditional UPDATE decides.
    """
    if action not in TRANSITIONS:
        raise CaseError(f"未知操作：{action}")
    check_actor(user, case, action)
    sources, target = TRANSITIONS[action]
    if case.state not in sources:
        raise BadTransition(f"办件 {case.number} 当前状态为“{case.get_state_display()}”，"
                            f"不能“{ACTION_LABELS[action]}”")
    _check_holder(case)
    version = case.version if expected_version is None else expected_version
    on = today()
    changes, extra = _changes(user, case, action, on, params)
    changes["state"] = target or case.resume_state
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, state=case.state, version=version).update(
            version=version + 1, updated_at=now(), **changes)
        if not updated:
            raise Conflict(f"办件 {case.number} 已被他人处理或已更新，请刷新后再操作")
        fresh = Case.objects.get(pk=case.pk)
        if extra:
            extra(fresh)
        enqueue_case(fresh)
        do_append(at=now(), actor=user.get_username(), action=f"case.{action}", subject=f"case:{case.number}",
                  data={"from": case.state, "to": fresh.state, "version": fresh.version,
                        **{k: v for k, v in params.items() if isinstance(v, str | int | list)}})
    return fresh


def _changes(user, case: Case, action: str, on: datetime.date, params: dict):
    """The field changes of an action (validated), and an optional callback for related rows."""
    changes: dict = {}
    extra = None
    if action in ("accept", "decide") and case.delegation:
        try:  # a revoked or expired delegation stops the delegate department from acting
            check_valid(case.delegation, item=case.item, department=case.competent_department, on=on)
        except DelegationError as exc:
            raise CaseError(f"不能依委托{ACTION_LABELS[action]}：{exc}") from None
    if action == "accept":
        if case.mode == Mode.JOINT:
            def extra(fresh: Case) -> None:
                _open_joint_tasks(fresh)
        try:  # the legal due date must be computable: a year without a loaded calendar is refused, never guessed
            add_workdays(on, case.legal_limit_days or 0)
        except YearNotLoaded as exc:
            raise CaseError(f"不能受理：{exc}") from None
        changes["accepted_on"] = on
    elif action == "refuse":
        reason, basis = params.get("reason", "").strip(), params.get("basis", "").strip()
        if not reason or not basis:
            raise CaseError("不予受理须写明理由和法律依据")
        changes.update(refusal_reason=reason, refusal_basis=basis[:200])
    elif action == "request_supplement":
        missing = [m.strip() for m in params.get("missing", []) if m and m.strip()]
        if not missing:
            raise CaseError("补正告知须一次性列明所有需补正的材料")
        changes.update(resume_state=case.state)
        if case.state in CLOCK_RUNNING:
            changes["paused_since"] = on

        def extra(fresh: Case) -> None:
            SupplementNotice.objects.create(case=fresh, missing=missing, note=params.get("note", ""),
                                            requested_at=now(), requested_by=user)
    elif action == "supplement_received":
        changes.update(_end_pause(case, on), resume_state="")

        def extra(fresh: Case) -> None:
            SupplementNotice.objects.filter(case=fresh, fulfilled_at__isnull=True).update(fulfilled_at=now())
    elif action == "suspend":
        reason = params.get("reason", "").strip()
        if not reason:
            raise CaseError("中止须写明理由")
        changes.update(paused_since=on, resume_state=State.IN_REVIEW, suspension_reason=reason[:200])
    elif action == "resume":
        changes.update(_end_pause(case, on), resume_state="")
    elif action == "decide":
        pending = [t.department.name for t in case.joint_tasks.select_related("department")
                   if t.state == JointTask.State.PENDING and t.department_id != case.competent_department_id]
        if pending:
            raise CaseError(f"多地联办：{'、'.join(pending)} 尚未完成协同办理，暂不能作出决定")
        outcome = params.get("outcome", "")
        if outcome not in Outcome.values:
            raise CaseError("办理结果应为 approved（准予）或 denied（不予）")
        if outcome == Outcome.DENIED and not params.get("note", "").strip():
            raise CaseError("不予办理须说明理由")
        changes.update(outcome=outcome, decision_note=params.get("note", ""), decided_on=on)
    elif action == "deliver":
        changes["delivered_at"] = now()
    return changes, extra


def _open_joint_tasks(case: Case) -> None:
    """One task per region's competent department of the item (多地联办)."""
    for competence in Competence.objects.filter(item=case.item).select_related("department", "region"):
        own = competence.department_id == case.competent_department_id
        JointTask.objects.get_or_create(case=case, department=competence.department, defaults={
            "task": "审查并作出决定" if own else f"协同核查（{competence.region.short_name}）"})


def do_complete_joint_task(user, task: JointTask, *, note: str) -> JointTask:
    """A department does its part of a 多地联办 case. Locks: none; a conditional UPDATE decides.

    On a node that does not hold the case (the other region's department, federated), the part is sent
    to the holding node as a `case.joint_task` message and shows as done when the case comes back.
    """
    profile = profile_of(user)
    if not (profile and profile.role == Role.APPROVER and profile.department_id == task.department_id):
        raise NotAllowed("只有该部门的审批人员可以办理本联办任务")
    if not note.strip():
        raise CaseError("请填写办理意见")
    if task.state != JointTask.State.PENDING:
        raise Conflict("该联办任务已完成")
    if routing.holder_problem(task.case):
        return _send_joint_task(user, task, note.strip())
    with transaction.atomic():
        if not JointTask.objects.filter(pk=task.pk, state=JointTask.State.PENDING).update(
                state=JointTask.State.DONE, note=note.strip(), done_by=user, done_at=now()):
            raise Conflict("该联办任务已完成")
        _replicate_related(task.case)
        do_append(at=now(), actor=user.get_username(), action="case.joint_task_done",
                  subject=f"case:{task.case.number}", data={"department": task.department.name, "note": note})
    task.refresh_from_db()
    return task


def _send_joint_task(user, task: JointTask, note: str) -> JointTask:
    if joint_task_sent(task):
        raise Conflict("该联办任务已提交至审批地节点，等待确认")
    holder = routing.holder_of(task.case)
    with transaction.atomic():
        enqueue(holder, "case.joint_task", {
            "case": task.case.number, "department": task.department.name, "region": task.department.region.code,
            "note": note, "done_by": user.get_username(), "done_at": now().isoformat()}, task.case.number)
        do_append(at=now(), actor=user.get_username(), action="case.joint_task_sent",
                  subject=f"case:{task.case.number}", data={"department": task.department.name, "to": holder})
    return task


def joint_task_sent(task: JointTask) -> bool:
    """This node's part of a cross-node 多地联办 case is on its way to the holding node."""
    return OutboxMessage.objects.filter(kind="case.joint_task", case_number=task.case.number,
                                        body__department=task.department.name).exists()


def _check_holder(case: Case) -> None:
    """On a federated node, only the node that holds the case now may change it (federation/routing.py)."""
    problem = routing.holder_problem(case)
    if problem:
        raise BadTransition(problem)


def _replicate_related(case: Case) -> None:
    """A change to a case's related rows (extension, joint task): a new version for the other node's copy."""
    if not routing.peers_of(case):
        return
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=now())
    enqueue_case(Case.objects.get(pk=case.pk))


def _end_pause(case: Case, on: datetime.date) -> dict:
    if not case.paused_since:
        return {}
    try:
        paused = workdays_between(case.paused_since, on)
    except YearNotLoaded as exc:
        raise CaseError(f"不能恢复计时：{exc}") from None
    return {"paused_workdays": case.paused_workdays + paused, "paused_since": None}


# ---- extensions ----------------------------------------------------------------------------------

def do_request_extension(user, case: Case, *, days: int, reason: str) -> Extension:
    check_actor(user, case, "suspend")  # the competent department's approver
    if case.state not in CLOCK_RUNNING:
        raise BadTransition("只有计时中的办件可以申请延期")
    # pending requests count too: two pending requests of 10 days must not both be possible
    approved = sum(e.days for e in case.extensions.exclude(status=Extension.Status.REJECTED))
    if approved >= MAX_EXTENSION_DAYS:
        raise CaseError(f"本办件已用满 {MAX_EXTENSION_DAYS} 个工作日的延期")
    if not 1 <= days <= MAX_EXTENSION_DAYS - approved:
        raise CaseError(f"延期须为 1–{MAX_EXTENSION_DAYS - approved} 个工作日（合计不超过 {MAX_EXTENSION_DAYS} 个）")
    if not reason.strip():
        raise CaseError("延期须写明理由")
    _check_holder(case)
    with transaction.atomic():
        extension = Extension.objects.create(case=case, days=days, reason=reason.strip()[:200],
                                             requested_by=user, requested_at=now())
        _replicate_related(case)
        do_append(at=now(), actor=user.get_username(), action="case.request_extension",
                  subject=f"case:{case.number}",
                  data={"days": days, "reason": reason})
    return extension


def do_decide_extension(user, extension: Extension, *, approve: bool) -> Extension:
    """An administrator of the competent region approves or rejects (负责人批准). Locks: the case by CAS."""
    case = Case.objects.select_related("competent_region").get(pk=extension.case_id)
    if not is_admin_of(profile_of(user), case.competent_region):
        raise NotAllowed("只有审批地区的管理员可以批准延期")
    if extension.status != Extension.Status.PENDING:
        raise Conflict("该延期申请已被处理")
    if approve and case.state not in CLOCK_RUNNING:
        # approving after the decision would rewrite a late case as on time
        raise BadTransition(f"办件 {case.number} 当前状态为“{case.get_state_display()}”，不能再批准延期（可驳回）")
    if approve and case.extension_days + extension.days > MAX_EXTENSION_DAYS:
        raise CaseError(f"批准后延期合计将超过 {MAX_EXTENSION_DAYS} 个工作日（已批准 {case.extension_days} 个）")
    _check_holder(case)
    with transaction.atomic():
        if not Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
                status=Extension.Status.APPROVED if approve else Extension.Status.REJECTED, decided_by=user):
            raise Conflict("该延期申请已被处理")
        # The cap and the state are checked again by the conditional UPDATE: a case that changed meanwhile
        # (another approval, a decision) makes this one fail and roll back.
        if approve and not Case.objects.filter(pk=case.pk, version=case.version, state__in=CLOCK_RUNNING).update(
                extension_days=case.extension_days + extension.days, version=case.version + 1):
            raise Conflict(f"办件 {case.number} 已更新，请刷新后再批准")
        if approve:
            enqueue_case(Case.objects.get(pk=case.pk))
        else:
            _replicate_related(case)
        do_append(at=now(), actor=user.get_username(),
                  action="case.extension_" + ("approved" if approve else "rejected"),
                  subject=f"case:{case.number}", data={"days": extension.days})
    extension.refresh_from_db()
    return extension
