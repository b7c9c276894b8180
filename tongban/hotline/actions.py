"""接诉即办 business operations: register, dispatch, contact, whistle/report, reply, callback.

Every write goes through `_move`: a compare-and-set UPDATE on (state, version) — a stale screen or a
second click fails with `Conflict` and changes nothing — plus a `ComplaintEvent` for the page and an
entry in the hash-chained audit trail, all in one transaction.

Time limits (docs/hotline.md): every stage's due time is counted from registration; a limit in
自然小时 adds hours, a limit in 工作日 ends at the end of the n-th working day after the day of
registration (the official calendar; a year not loaded is an error, never a guess).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.audit.actions import do_append
from tongban.calendar.actions import YearNotLoaded, add_workdays
from tongban.catalog.models import Region
from tongban.core.identity import InvalidIdentifier, check_phone
from tongban.hotline.models import (
    OPEN_STATES,
    Category,
    Channel,
    ClockKind,
    Complaint,
    ComplaintCounter,
    ComplaintEvent,
    HotlineRole,
    Responsibility,
    Satisfaction,
    Stage,
    State,
    TimeLimit,
    Unit,
    WhistleTask,
)

MAX_TEXT = 4000  # Open311 GeoReport v2 allows descriptions up to 4,000 characters
MIN_TEXT = 5
DEFAULT_DISPATCH_HOURS = 2  # when no category is known at registration (web, Open311 without a code)


class HotlineError(ValueError):
    """A refused operation; the message is shown to the user as is (zh-Hans)."""


class NotAllowed(HotlineError):
    pass


class Conflict(HotlineError):
    pass


def now() -> datetime.datetime:
    return timezone.now()


def as_id(raw) -> int | None:
    """A database id from user input ("12" → 12); None for anything else ("", "²", "1e3", "-1")."""
    raw = str(raw or "").strip()
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def role_of(user) -> HotlineRole | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.hotline
    except HotlineRole.DoesNotExist:
        return None


# ---- time limits ---------------------------------------------------------------------------------

def due_after(start: datetime.datetime, amount: int, clock: str) -> datetime.datetime:
    """The due time `amount` hours or working days after `start` (see the module docstring)."""
    if clock == ClockKind.HOURS:
        return start + datetime.timedelta(hours=amount)
    local = timezone.localtime(start)
    try:
        day = add_workdays(local.date(), amount)
    except YearNotLoaded as exc:
        raise HotlineError(f"工作日历未载入（{exc}），无法计算时限；请管理员先导入该年度日历。") from exc
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=local.tzinfo)
    return end


def _dues(category: Category | None, start: datetime.datetime, stages) -> dict[str, datetime.datetime | None]:
    limits = {lim.stage: lim for lim in TimeLimit.objects.filter(category=category)} if category else {}
    dues: dict[str, datetime.datetime | None] = {}
    for stage in stages:
        lim = limits.get(stage)
        if lim is not None:
            dues[f"{stage}_due"] = due_after(start, lim.amount, lim.clock)
        elif stage == Stage.DISPATCH:
            dues["dispatch_due"] = start + datetime.timedelta(hours=DEFAULT_DISPATCH_HOURS)
        else:
            dues[f"{stage}_due"] = None
    return dues


# ---- registration --------------------------------------------------------------------------------

@dataclass
class Intake:
    """What a caller, citizen or Open311 client tells us."""

    region: Region
    text: str
    channel: str = Channel.PHONE
    caller_name: str = ""
    caller_phone: str = ""
    street: Unit | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    category: Category | None = None
    intake_key: str = ""  # the form's one-time token or an Open311 Idempotency-Key: resubmitting is a no-op


def check_intake(intake: Intake) -> Intake:
    text = (intake.text or "").strip()
    if len(text) < MIN_TEXT:
        raise HotlineError(f"诉求内容过短：请至少写 {MIN_TEXT} 个字，说明什么地方、什么问题。")
    if len(text) > MAX_TEXT:
        raise HotlineError(f"诉求内容过长（{len(text)} 字）：请控制在 {MAX_TEXT} 字以内。")
    phone = re.sub(r"^(\+86|0086)[\s-]*", "", (intake.caller_phone or "").strip())
    if phone:
        try:
            phone = check_phone(phone)
        except InvalidIdentifier as exc:
            raise HotlineError(str(exc)) from exc
    if intake.street is not None and (intake.street.kind != Unit.Kind.STREET or intake.street.region_id
                                      != intake.region.pk or not intake.street.active):
        raise HotlineError(f"“{intake.street.name}”不是{intake.region.short_name}在用的街乡镇。")
    if len(intake.caller_name or "") > 50 or len(intake.address or "") > 200:
        raise HotlineError("来电人不超过 50 字，地点不超过 200 字。")
    if len(intake.intake_key or "") > 80:
        raise HotlineError("重复提交校验码过长（不超过 80 个字符）。")
    if intake.channel not in Channel.values:
        raise HotlineError(f"未知的来源：{intake.channel}")
    intake.text, intake.caller_phone = text, phone
    intake.caller_name, intake.address = (intake.caller_name or "").strip(), (intake.address or "").strip()
    return intake


def _next_number(year: int) -> str:
    ComplaintCounter.objects.get_or_create(year=year)
    counter = ComplaintCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.TONGBAN_CASE_PREFIX}RX{year}{counter.last:06d}"


def registered(intake_key: str) -> Complaint | None:
    """The complaint an earlier submission with this key created, if any."""
    return Complaint.objects.filter(intake_key=intake_key).first() if intake_key else None


def do_register(user, intake: Intake) -> Complaint:
    """登记: create a complaint in state 待派单. Locks the year's complaint counter while numbering.

    With an `intake_key` seen before, returns that complaint and writes nothing: a double click, a
    refreshed form or a client's retry never registers the same call twice (the unique key decides
    even when two submissions race)."""
    intake = check_intake(intake)
    earlier = registered(intake.intake_key)
    if earlier is not None:
        return earlier
    at = now()
    dues = _dues(intake.category, at, [Stage.DISPATCH])
    try:
        return _create(user, intake, at, dues)
    except IntegrityError:
        earlier = registered(intake.intake_key)
        if earlier is None:
            raise
        return earlier


def _create(user, intake: Intake, at: datetime.datetime, dues: dict) -> Complaint:
    with transaction.atomic():
        complaint = Complaint.objects.create(
            number=_next_number(timezone.localdate(at).year), region=intake.region, channel=intake.channel,
            caller_name=intake.caller_name, caller_phone=intake.caller_phone, street=intake.street,
            address=intake.address, latitude=intake.latitude, longitude=intake.longitude, text=intake.text,
            category=intake.category, received_at=at, intake_key=intake.intake_key or None,
            created_by=user if getattr(user, "is_authenticated", False) else None, **dues)
        _record(complaint, _actor(user), "register", f"来源：{complaint.get_channel_display()}", at=at,
                data={"region": intake.region.code, "channel": intake.channel, "phone": intake.caller_phone})
    return complaint


def _actor(user) -> str:
    return user.get_username() if getattr(user, "is_authenticated", False) else "公众"


def _record(complaint: Complaint, actor: str, action: str, note: str = "", *, at=None, data=None) -> None:
    at = at or now()
    ComplaintEvent.objects.create(complaint=complaint, at=at, actor=actor, action=action, note=note)
    do_append(at=at, actor=actor, action=f"hotline.{action}", subject=f"complaint:{complaint.number}",
              data={"state": complaint.state, "version": complaint.version, **(data or {})})


def _move(complaint: Complaint, sources, target: str, *, actor: str, action: str, note: str = "",
          expected_version: int | None = None, data: dict | None = None, **changes) -> Complaint:
    """Compare-and-set one transition; records the event and the audit entry. Returns the fresh row.

    Locks: none held before; the conditional UPDATE decides (the audit head is locked last)."""
    if complaint.state not in sources:
        raise HotlineError(f"诉求 {complaint.number} 当前为“{complaint.get_state_display()}”，"
                           f"不能{ACTION_LABELS[action]}。")
    version = complaint.version if expected_version is None else expected_version
    with transaction.atomic():
        updated = Complaint.objects.filter(pk=complaint.pk, state=complaint.state, version=version).update(
            state=target, version=version + 1, **changes)
        if not updated:
            raise Conflict(f"诉求 {complaint.number} 已被他人处理或已更新，请刷新后再操作。")
        fresh = Complaint.objects.get(pk=complaint.pk)
        _record(fresh, actor, action, note, data=data)
    return fresh


ACTION_LABELS = {
    "register": "登记", "dispatch": "派单", "return": "退单", "contact": "联系来电人", "whistle": "吹哨",
    "report": "报到", "reply": "答复", "callback": "回访", "score": "评价报到部门",
}


# ---- who may do what -----------------------------------------------------------------------------

def _require(user, *roles: str, region: Region | None = None, unit: Unit | None = None) -> HotlineRole:
    role = role_of(user)
    if role is None or role.role not in roles:
        raise NotAllowed("您没有接诉即办的相应权限。")
    if region is not None and role.region_id != region.pk:
        raise NotAllowed(f"该诉求属于{region.short_name}，不在您的区域。")
    if unit is not None and role.unit_id != unit.pk:
        raise NotAllowed(f"该诉求由“{unit.name}”承办，您不是该单位人员。")
    return role


def visible(user):
    """The complaints a user may see: operators and supervisors their region's, handlers their unit's
    (as the responsible unit or as a summoned department)."""
    from django.db.models import Q

    role = role_of(user)
    if role is None:
        return Complaint.objects.none()
    if role.role == HotlineRole.Role.HANDLER:
        if role.unit_id is None:  # a handler without a unit sees nothing (the admin refuses to save one)
            return Complaint.objects.none()
        return Complaint.objects.filter(Q(unit_id=role.unit_id) | Q(whistle_tasks__unit_id=role.unit_id)).distinct()
    return Complaint.objects.filter(region_id=role.region_id)


# ---- dispatch ------------------------------------------------------------------------------------

def default_unit(region: Region, category: Category) -> Unit | None:
    resp = Responsibility.objects.filter(region=region, category=category).select_related("unit").first()
    return resp.unit if resp else None


def do_dispatch(user, complaint: Complaint, category: Category, unit: Unit | None = None, *,
                suggestions: list[dict] | None = None, model_version: int | None = None,
                expected_version: int | None = None) -> Complaint:
    """派单: send a registered complaint to its unit (the category's default unless the operator chose one).

    `suggestions` are the top three the operator saw; choosing another category than the first is an
    override (改派), recorded on the complaint and used by the next training."""
    _require(user, HotlineRole.Role.OPERATOR, region=complaint.region)
    if not category.active:
        raise HotlineError(f"诉求分类“{category.name}”已停用。")
    unit = unit or default_unit(complaint.region, category)
    if unit is None:
        raise HotlineError(f"{complaint.region.short_name}尚未配置“{category.name}”的承办单位，请选择承办单位。")
    if unit.region_id != complaint.region_id or not unit.active:
        raise HotlineError(f"“{unit.name}”不是{complaint.region.short_name}在用的承办单位。")
    suggestions = suggestions or []
    overridden = bool(suggestions) and suggestions[0].get("category") != category.name
    dues = _dues(category, complaint.received_at, [Stage.CONTACT, Stage.HANDLE, Stage.REPLY])
    return _move(complaint, {State.REGISTERED}, State.DISPATCHED, actor=_actor(user), action="dispatch",
                 note=f"{category.name} → {unit.name}" + ("（人工改派）" if overridden else ""),
                 expected_version=expected_version, data={"category": category.name, "unit": unit.name,
                                                         "overridden": overridden},
                 category=category, unit=unit, dispatched_at=now(), suggestions=suggestions,
                 model_version=model_version, overridden=overridden, **dues)


def do_return(user, complaint: Complaint, reason: str, *, expected_version: int | None = None) -> Complaint:
    """退单: the unit says the complaint is not theirs; it goes back to the operator to dispatch again."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    reason = _note(reason, "退单理由")
    return _move(complaint, {State.DISPATCHED}, State.REGISTERED, actor=_actor(user), action="return",
                 note=f"{complaint.unit.name}退单：{reason}", expected_version=expected_version,
                 data={"unit": complaint.unit.name}, unit=None, dispatched_at=None)


def _note(text: str, what: str, limit: int = 2000) -> str:
    text = (text or "").strip()
    if not text:
        raise HotlineError(f"请填写{what}。")
    if len(text) > limit:
        raise HotlineError(f"{what}不超过 {limit} 字。")
    return text


def do_contact(user, complaint: Complaint, note: str = "", *, expected_version: int | None = None) -> Complaint:
    """首次联系: the unit has reached the caller (响应)."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    return _move(complaint, {State.DISPATCHED}, State.CONTACTED, actor=_actor(user), action="contact",
                 note=(note or "").strip()[:500], expected_version=expected_version, contacted_at=now())


# ---- 吹哨报到 ------------------------------------------------------------------------------------

@dataclass
class Summons:
    unit: Unit
    task: str
    hours: int


def do_whistle(user, complaint: Complaint, summons: list[Summons], *,
               expected_version: int | None = None) -> Complaint:
    """吹哨: the street handling the complaint summons departments, each with its own task and deadline.

    The complaint waits (吹哨报到中) until every department has reported."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    if complaint.unit.kind != Unit.Kind.STREET:
        raise HotlineError("只有街乡镇可以吹哨。")
    if not summons:
        raise HotlineError("请至少选择一个报到部门。")
    seen: set[int] = set(complaint.whistle_tasks.values_list("unit_id", flat=True))
    for s in summons:
        if s.unit.kind != Unit.Kind.DEPARTMENT or s.unit.region_id != complaint.region_id or not s.unit.active:
            raise HotlineError(f"“{s.unit.name}”不是本区域在用的部门。")
        if s.unit.pk in seen:
            raise HotlineError(f"“{s.unit.name}”重复（每个部门对一件诉求只报到一次）。")
        seen.add(s.unit.pk)
        s.task = _note(s.task, f"“{s.unit.name}”的任务", 500)
        if not 1 <= s.hours <= 24 * 30:
            raise HotlineError("报到时限应在 1 小时到 30 天之间。")
    at = now()
    with transaction.atomic():
        fresh = _move(complaint, {State.CONTACTED}, State.WHISTLED, actor=_actor(user), action="whistle",
                      note="、".join(s.unit.name for s in summons), expected_version=expected_version,
                      data={"units": [s.unit.name for s in summons]})
        WhistleTask.objects.bulk_create(
            WhistleTask(complaint=fresh, unit=s.unit, task=s.task, due=at + datetime.timedelta(hours=s.hours),
                        whistled_at=at, whistled_by=_actor(user)) for s in summons)
    return fresh


def do_report(user, task: WhistleTask, report: str) -> WhistleTask:
    """报到: a summoned department reports what it did. The last report hands the complaint back to the
    street (办理中) to reply. Locks: the task row, conditionally updated once."""
    _require(user, HotlineRole.Role.HANDLER, unit=task.unit)
    report = _note(report, "报到情况")
    at = now()
    with transaction.atomic():
        if not WhistleTask.objects.filter(pk=task.pk, reported_at__isnull=True).update(
                report=report, reported_at=at, reported_by=_actor(user)):
            raise Conflict(f"“{task.unit.name}”已报到。")
        complaint = Complaint.objects.select_for_update().get(pk=task.complaint_id)
        _record(complaint, _actor(user), "report", f"{task.unit.name}：{report[:200]}", at=at,
                data={"unit": task.unit.name, "on_time": at <= task.due})
        if not complaint.whistle_tasks.filter(reported_at__isnull=True).exists():
            _move(complaint, {State.WHISTLED}, State.CONTACTED, actor="系统", action="report",
                  note="各部门均已报到，退回街乡镇答复")
    task.refresh_from_db()
    return task


def do_score(user, task: WhistleTask, score: int) -> WhistleTask:
    """The street scores a department's 报到 (1–5) once it has reported."""
    _require(user, HotlineRole.Role.HANDLER, unit=task.complaint.unit)
    if task.reported_at is None:
        raise HotlineError("该部门尚未报到，不能评价。")
    if score not in range(1, 6):
        raise HotlineError("评分应为 1–5 分。")
    with transaction.atomic():
        if not WhistleTask.objects.filter(pk=task.pk, score__isnull=True).update(score=score):
            raise Conflict("已评价过该部门。")
        _record(task.complaint, _actor(user), "score", f"{task.unit.name}：{score} 分",
                data={"unit": task.unit.name, "score": score})
    task.refresh_from_db()
    return task


# ---- reply and callback --------------------------------------------------------------------------

def do_reply(user, complaint: Complaint, reply: str, *, expected_version: int | None = None) -> Complaint:
    """答复: the unit tells the caller what was done."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    reply = _note(reply, "答复意见")
    return _move(complaint, {State.CONTACTED}, State.REPLIED, actor=_actor(user), action="reply",
                 note=reply[:200], expected_version=expected_version, reply=reply, replied_at=now())


def do_callback(user, complaint: Complaint, *, solved: bool, satisfaction: str, note: str = "",
                expected_version: int | None = None) -> Complaint:
    """回访: the operator asks the caller whether it was solved and whether they are satisfied."""
    _require(user, HotlineRole.Role.OPERATOR, region=complaint.region)
    if satisfaction not in Satisfaction.values:
        raise HotlineError("请选择满意、基本满意或不满意。")
    if not isinstance(solved, bool):
        raise HotlineError("请选择是否解决。")
    label = Satisfaction(satisfaction).label
    extra = f"；{note.strip()[:200]}" if note.strip() else ""
    return _move(complaint, {State.REPLIED}, State.CLOSED, actor=_actor(user), action="callback",
                 note=f"{'已解决' if solved else '未解决'}，{label}{extra}",
                 expected_version=expected_version, data={"solved": solved, "satisfaction": satisfaction},
                 solved=solved, satisfaction=satisfaction, callback_note=note.strip()[:500], closed_at=now())


WARN_SHARE = 0.25  # 预警 when less than this share of a stage's time (counted from registration) is left


def _stages(complaint: Complaint):
    return ((complaint.dispatch_due, complaint.dispatched_at, "派单"),
            (complaint.contact_due, complaint.contacted_at, "联系"),
            (complaint.handle_due, complaint.replied_at, "办理"),
            (complaint.reply_due, complaint.closed_at, "答复回访"))


def overdue_stage(complaint: Complaint, at: datetime.datetime | None = None) -> str:
    """The first stage whose limit has passed without being done, or was done late ("" when none).

    Dispatch ends at 派单, contact at 首次联系, handling at the unit's 答复 (办结), and the reply stage at
    the operator's 回访 — the moment the caller has the answer and has been asked about it."""
    at = at or now()
    for due, done, label in _stages(complaint):
        if due and ((done and done > due) or (not done and at > due and complaint.state in OPEN_STATES)):
            return label
    return ""


def deadline_status(complaint: Complaint, at: datetime.datetime | None = None) -> tuple[str, str]:
    """("超期" | "预警" | "正常", stage): overdue as `overdue_stage`; a warning when the next stage still to
    do has less than WARN_SHARE of its time left."""
    at = at or now()
    late = overdue_stage(complaint, at)
    if late:
        return "超期", late
    if complaint.state in OPEN_STATES or complaint.state == State.REPLIED:
        for due, done, label in _stages(complaint):
            if due and not done:
                if (due - at) < WARN_SHARE * (due - complaint.received_at):
                    return "预警", label
                break
    return "正常", ""
