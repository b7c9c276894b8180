"""接诉即办 business operations: register, dispatch, contact, whistle/report, reply, callback.

Every change of state goes through `COMPLAINT` (tongban.core.transitions.StateMachine, area "hotline"):
a compare-and-set UPDATE on (state, version) — a stale screen or a second click fails with `Conflict`
(``hotline.conflict``) and changes nothing — plus a `ComplaintEvent` for the page (written in `after`)
and an entry ``hotline.<action>`` in the hash-chained audit trail, all in one transaction. Records that
change no state (登记, a department's 报到, its score) write the event and the entry with `_record`.

Refusals are tongban.core.errors with codes ``hotline.*`` (listed in docs/hotline.md); the time is
tongban.core.clock's.

Time limits (docs/hotline.md): every stage's due time is counted from registration; a limit in
自然小时 adds hours, a limit in 工作日 ends at the end of the n-th working day after the day of
registration (the official calendar; a year not loaded is an error, never a guess).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import citizen_of
from tongban.audit.actions import do_append
from tongban.audit.masking import mask_text
from tongban.calendar.actions import YearNotLoaded, add_workdays
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed, Unavailable
from tongban.core.identity import InvalidIdentifier, check_phone
from tongban.core.numbering import next_number
from tongban.core.transitions import StateMachine, Step
from tongban.core.typing import Actor, User
from tongban.hotline.models import (
    OPEN_STATES,
    Category,
    Channel,
    ClockKind,
    Complaint,
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
from tongban.notifications.actions import do_notify
from tongban.notifications.texts import mobile, public_url, short, sms_text

MAX_TEXT = 4000  # Open311 GeoReport v2 allows descriptions up to 4,000 characters
MIN_TEXT = 5
DEFAULT_DISPATCH_HOURS = 2  # when no category is known at registration (web, Open311 without a code)


# The complaint's states and the steps between them (who may take a step is each do_*'s `_require`).
STEPS: dict[str, Step] = {
    "dispatch": Step(frozenset({State.REGISTERED}), State.DISPATCHED, "派单"),
    "return": Step(frozenset({State.DISPATCHED}), State.REGISTERED, "退单"),
    "contact": Step(frozenset({State.DISPATCHED}), State.CONTACTED, "联系来电人"),
    "whistle": Step(frozenset({State.CONTACTED}), State.WHISTLED, "吹哨"),
    "report": Step(frozenset({State.WHISTLED}), State.CONTACTED, "报到"),  # the last department's report
    "reply": Step(frozenset({State.CONTACTED}), State.REPLIED, "答复"),
    "callback": Step(frozenset({State.REPLIED}), State.CLOSED, "回访"),
}
COMPLAINT: StateMachine[Complaint] = StateMachine(
    Complaint, STEPS, area="hotline", noun=lambda c: f"诉求 {c.number}", subject=lambda c: f"complaint:{c.number}")
# Labels of every event on a complaint's page: the steps, and the records that change no state.
ACTION_LABELS = {"register": "登记", **COMPLAINT.labels, "score": "评价报到部门"}


def as_id(raw: Any) -> int | None:
    """A database id from user input ("12" → 12); None for anything else ("", "²", "1e3", "-1")."""
    raw = str(raw or "").strip()
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def role_of(user: Actor) -> HotlineRole | None:
    if not user.is_authenticated:
        return None
    try:
        return user.hotline
    except HotlineRole.DoesNotExist:
        return None


# ---- time limits ---------------------------------------------------------------------------------

def due_after(start: datetime.datetime, amount: int, kind: str) -> datetime.datetime:
    """The due time `amount` hours or working days (`kind`, a ClockKind) after `start` (module docstring)."""
    if kind == ClockKind.HOURS:
        return start + datetime.timedelta(hours=amount)
    local = timezone.localtime(start)
    try:
        day = add_workdays(local.date(), amount)
    except YearNotLoaded as exc:
        raise Unavailable(f"工作日历未载入（{exc}），无法计算时限；请管理员先导入该年度日历。",
                          code="hotline.year_not_loaded") from exc
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=local.tzinfo)
    return end


def _dues(category: Category | None, start: datetime.datetime,
          stages: Iterable[str]) -> dict[str, datetime.datetime | None]:
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
        raise Invalid(f"诉求内容过短：请至少写 {MIN_TEXT} 个字，说明什么地方、什么问题。",
                      code="hotline.text_too_short")
    if len(text) > MAX_TEXT:
        raise Invalid(f"诉求内容过长（{len(text)} 字）：请控制在 {MAX_TEXT} 字以内。", code="hotline.text_too_long")
    phone = re.sub(r"^(\+86|0086)[\s-]*", "", (intake.caller_phone or "").strip())
    if phone:
        try:
            phone = check_phone(phone)
        except InvalidIdentifier as exc:
            raise Invalid(str(exc), code="hotline.phone_invalid") from exc
    if intake.street is not None and (intake.street.kind != Unit.Kind.STREET or intake.street.region_id
                                      != intake.region.pk or not intake.street.active):
        raise Invalid(f"“{intake.street.name}”不是{intake.region.short_name}在用的街乡镇。",
                      code="hotline.street_invalid")
    if len(intake.caller_name or "") > 50 or len(intake.address or "") > 200:
        raise Invalid("来电人不超过 50 字，地点不超过 200 字。", code="hotline.field_too_long")
    if len(intake.intake_key or "") > 80:
        raise Invalid("重复提交校验码过长（不超过 80 个字符）。", code="hotline.intake_key_too_long")
    if intake.channel not in Channel.values:
        raise Invalid(f"未知的来源：{intake.channel}", code="hotline.channel_unknown")
    intake.text, intake.caller_phone = text, phone
    intake.caller_name, intake.address = (intake.caller_name or "").strip(), (intake.address or "").strip()
    return intake


def _next_number(year: int) -> str:
    """诉求编号 such as TBRX2026000001: the year's next number of the "complaint" series (locked until commit)."""
    return f"{settings.TONGBAN_CASE_PREFIX}RX{year}{next_number('complaint', year):06d}"


def registered(intake_key: str) -> Complaint | None:
    """The complaint an earlier submission with this key created, if any."""
    return Complaint.objects.filter(intake_key=intake_key).first() if intake_key else None


def do_register(user: Actor, intake: Intake) -> Complaint:
    """登记: create a complaint in state 待派单. Locks the year's complaint counter while numbering.

    With an `intake_key` seen before, returns that complaint and writes nothing: a double click, a
    refreshed form or a client's retry never registers the same call twice (the unique key decides
    even when two submissions race)."""
    intake = check_intake(intake)
    earlier = registered(intake.intake_key)
    if earlier is not None:
        return earlier
    at = clock.now()
    dues = _dues(intake.category, at, [Stage.DISPATCH])
    try:
        return _create(user, intake, at, dues)
    except IntegrityError:
        earlier = registered(intake.intake_key)
        if earlier is None:
            raise
        return earlier


def _create(user: Actor, intake: Intake, at: datetime.datetime, dues: dict[str, Any]) -> Complaint:
    with transaction.atomic():
        complaint = Complaint.objects.create(
            number=_next_number(timezone.localdate(at).year), region=intake.region, channel=intake.channel,
            caller_name=intake.caller_name, caller_phone=intake.caller_phone, street=intake.street,
            address=intake.address, latitude=intake.latitude, longitude=intake.longitude, text=intake.text,
            category=intake.category, received_at=at, intake_key=intake.intake_key or None,
            created_by=user if user.is_authenticated else None,
            reporter=_reporter(user, intake), **dues)
        _record(complaint, _actor(user), "register", f"来源：{complaint.get_channel_display()}", at=at,
                data={"region": intake.region.code, "channel": intake.channel, "phone": intake.caller_phone})
        _tell_caller(complaint, "register",
                     f"您反映的诉求已受理，编号{complaint.number}，我们将尽快派单办理。查询进度：")
    return complaint


def _reporter(user: Actor, intake: Intake) -> User | None:
    """The resident who filed it on the web form while logged in (their 实名账号), else None."""
    citizen = citizen_of(user)
    return citizen.user if citizen is not None and intake.channel == Channel.WEB else None


def _actor(user: Actor) -> str:
    return user.get_username() if user.is_authenticated else "公众"


def _record(complaint: Complaint, actor: str, action: str, note: str = "", *, at: datetime.datetime | None = None,
            data: dict[str, Any] | None = None) -> None:
    """The page's event and the audit entry of a record that changes no state (in the caller's transaction)."""
    at = at or clock.now()
    ComplaintEvent.objects.create(complaint=complaint, at=at, actor=actor, action=action, note=note)
    do_append(at=at, actor=actor, action=f"hotline.{action}", subject=f"complaint:{complaint.number}",
              data={"state": complaint.state, "version": complaint.version, **(data or {})})


def _move(complaint: Complaint, action: str, *, actor: str, note: str = "", expected_version: int | None = None,
          data: dict[str, Any] | None = None, also: Any = None, **changes: Any) -> Complaint:
    """One step of `COMPLAINT`, with the page's event (and `also(fresh)`, more rows) written in its `after`.

    The audit entry keeps the key "state" (the new state) that every hotline.* entry has. Locks: none
    before; the conditional UPDATE decides (the audit head is locked last). Returns the fresh row."""
    def after(fresh: Complaint) -> None:
        ComplaintEvent.objects.create(complaint=fresh, at=clock.now(), actor=actor, action=action, note=note)
        if also is not None:
            also(fresh)

    return COMPLAINT.apply(complaint, action, actor=actor, expected_version=expected_version, changes=changes,
                           data={"state": STEPS[action].target, **(data or {})}, after=after)


# ---- who may do what -----------------------------------------------------------------------------

def _require(user: Actor, *roles: str, region: Region | None = None, unit: Unit | None = None) -> HotlineRole:
    role = role_of(user)
    if role is None or role.role not in roles:
        raise NotAllowed("您没有接诉即办的相应权限。", code="hotline.not_allowed")
    if region is not None and role.region_id != region.pk:
        raise NotAllowed(f"该诉求属于{region.short_name}，不在您的区域。", code="hotline.not_your_region")
    if unit is not None and role.unit_id != unit.pk:
        raise NotAllowed(f"该诉求由“{unit.name}”承办，您不是该单位人员。", code="hotline.not_your_unit")
    return role


def visible(user: Actor) -> QuerySet[Complaint]:
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


def do_dispatch(user: Actor, complaint: Complaint, category: Category, unit: Unit | None = None, *,
                suggestions: list[dict] | None = None, model_version: int | None = None,
                expected_version: int | None = None) -> Complaint:
    """派单: send a registered complaint to its unit (the category's default unless the operator chose one).

    `suggestions` are the top three the operator saw; choosing another category than the first is an
    override (改派), recorded on the complaint and used by the next training."""
    _require(user, HotlineRole.Role.OPERATOR, region=complaint.region)
    if not category.active:
        raise Invalid(f"诉求分类“{category.name}”已停用。", code="hotline.category_inactive")
    unit = unit or default_unit(complaint.region, category)
    if unit is None:
        raise Invalid(f"{complaint.region.short_name}尚未配置“{category.name}”的承办单位，请选择承办单位。",
                      code="hotline.no_default_unit")
    if unit.region_id != complaint.region_id or not unit.active:
        raise Invalid(f"“{unit.name}”不是{complaint.region.short_name}在用的承办单位。", code="hotline.unit_invalid")
    suggestions = suggestions or []
    overridden = bool(suggestions) and suggestions[0].get("category") != category.name
    dues = _dues(category, complaint.received_at, [Stage.CONTACT, Stage.HANDLE, Stage.REPLY])
    return _move(complaint, "dispatch", actor=_actor(user),
                 note=f"{category.name} → {unit.name}" + ("（人工改派）" if overridden else ""),
                 expected_version=expected_version, data={"category": category.name, "unit": unit.name,
                                                         "overridden": overridden},
                 category=category, unit=unit, dispatched_at=clock.now(), suggestions=suggestions,
                 model_version=model_version, overridden=overridden, **dues)


def do_return(user: Actor, complaint: Complaint, reason: str, *, expected_version: int | None = None) -> Complaint:
    """退单: the unit says the complaint is not theirs; it goes back to the operator to dispatch again."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    unit = _dispatched_unit(complaint, "return")
    reason = _note(reason, "退单理由", "hotline.return_reason")
    return _move(complaint, "return", actor=_actor(user),
                 note=f"{unit.name}退单：{reason}", expected_version=expected_version,
                 data={"unit": unit.name}, unit=None, dispatched_at=None)


def _dispatched_unit(complaint: Complaint, action: str) -> Unit:
    """The unit the complaint was dispatched to. One without a unit (registered, or returned) is in no
    state to take `action`: refused as the state table would refuse it."""
    if complaint.unit is None:
        raise BadTransition(f"诉求 {complaint.number} 尚未派单，不能“{STEPS[action].label}”",
                            code="hotline.bad_transition")
    return complaint.unit


def _note(text: str, what: str, code: str, limit: int = 2000) -> str:
    """The stripped text; refused with `<code>_required` when empty, `<code>_too_long` over `limit`."""
    text = (text or "").strip()
    if not text:
        raise Invalid(f"请填写{what}。", code=f"{code}_required")
    if len(text) > limit:
        raise Invalid(f"{what}不超过 {limit} 字。", code=f"{code}_too_long")
    return text


def do_contact(user: Actor, complaint: Complaint, note: str = "", *,
               expected_version: int | None = None) -> Complaint:
    """首次联系: the unit has reached the caller (响应)."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    return _move(complaint, "contact", actor=_actor(user), note=(note or "").strip()[:500],
                 expected_version=expected_version, contacted_at=clock.now())


# ---- 吹哨报到 ------------------------------------------------------------------------------------

@dataclass
class Summons:
    unit: Unit
    task: str
    hours: int


def do_whistle(user: Actor, complaint: Complaint, summons: list[Summons], *,
               expected_version: int | None = None) -> Complaint:
    """吹哨: the street handling the complaint summons departments, each with its own task and deadline.

    The complaint waits (吹哨报到中) until every department has reported. The tasks are created in the
    step's transaction."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    if _dispatched_unit(complaint, "whistle").kind != Unit.Kind.STREET:
        raise Invalid("只有街乡镇可以吹哨。", code="hotline.whistle_street_only")
    if not summons:
        raise Invalid("请至少选择一个报到部门。", code="hotline.whistle_no_department")
    seen: set[int] = set(complaint.whistle_tasks.values_list("unit_id", flat=True))
    for s in summons:
        if s.unit.kind != Unit.Kind.DEPARTMENT or s.unit.region_id != complaint.region_id or not s.unit.active:
            raise Invalid(f"“{s.unit.name}”不是本区域在用的部门。", code="hotline.whistle_unit_invalid")
        if s.unit.pk in seen:
            raise Invalid(f"“{s.unit.name}”重复（每个部门对一件诉求只报到一次）。",
                          code="hotline.whistle_unit_repeated")
        seen.add(s.unit.pk)
        s.task = _note(s.task, f"“{s.unit.name}”的任务", "hotline.whistle_task", 500)
        if not 1 <= s.hours <= 24 * 30:
            raise Invalid("报到时限应在 1 小时到 30 天之间。", code="hotline.whistle_hours_invalid")
    at = clock.now()

    def tasks(fresh: Complaint) -> None:
        WhistleTask.objects.bulk_create(
            WhistleTask(complaint=fresh, unit=s.unit, task=s.task, due=at + datetime.timedelta(hours=s.hours),
                        whistled_at=at, whistled_by=_actor(user)) for s in summons)

    return _move(complaint, "whistle", actor=_actor(user), note="、".join(s.unit.name for s in summons),
                 expected_version=expected_version, data={"units": [s.unit.name for s in summons]}, also=tasks)


def do_report(user: Actor, task: WhistleTask, report: str) -> WhistleTask:
    """报到: a summoned department reports what it did. The last report hands the complaint back to the
    street (办理中) to reply. Locks: the task row, conditionally updated once; then the complaint row."""
    _require(user, HotlineRole.Role.HANDLER, unit=task.unit)
    report = _note(report, "报到情况", "hotline.report")
    at = clock.now()
    with transaction.atomic():
        if not WhistleTask.objects.filter(pk=task.pk, reported_at__isnull=True).update(
                report=report, reported_at=at, reported_by=_actor(user)):
            raise Conflict(f"“{task.unit.name}”已报到。", code="hotline.already_reported")
        complaint = Complaint.objects.select_for_update().get(pk=task.complaint_id)
        _record(complaint, _actor(user), "report", f"{task.unit.name}：{report[:200]}", at=at,
                data={"unit": task.unit.name, "on_time": at <= task.due})
        if not complaint.whistle_tasks.filter(reported_at__isnull=True).exists():
            _move(complaint, "report", actor="系统", note="各部门均已报到，退回街乡镇答复")
    task.refresh_from_db()
    return task


def do_score(user: Actor, task: WhistleTask, score: int) -> WhistleTask:
    """The street scores a department's 报到 (1–5) once it has reported. Locks: the task row, updated once."""
    _require(user, HotlineRole.Role.HANDLER, unit=task.complaint.unit)
    if task.reported_at is None:
        raise BadTransition("该部门尚未报到，不能评价。", code="hotline.not_reported")
    if score not in range(1, 6):
        raise Invalid("评分应为 1–5 分。", code="hotline.score_invalid")
    with transaction.atomic():
        if not WhistleTask.objects.filter(pk=task.pk, score__isnull=True).update(score=score):
            raise Conflict("已评价过该部门。", code="hotline.already_scored")
        _record(task.complaint, _actor(user), "score", f"{task.unit.name}：{score} 分",
                data={"unit": task.unit.name, "score": score})
    task.refresh_from_db()
    return task


# ---- reply and callback --------------------------------------------------------------------------

def do_reply(user: Actor, complaint: Complaint, reply: str, *, expected_version: int | None = None) -> Complaint:
    """答复: the unit tells the caller what was done."""
    _require(user, HotlineRole.Role.HANDLER, unit=complaint.unit)
    reply = _note(reply, "答复意见", "hotline.reply")

    def tell(fresh: Complaint) -> None:
        _tell_caller(fresh, "reply", f"您反映的诉求{fresh.number}已有答复：{short(reply, 60)}。详情：")
    return _move(complaint, "reply", actor=_actor(user), note=reply[:200], expected_version=expected_version,
                 reply=reply, replied_at=clock.now(), also=tell)


def do_callback(user: Actor, complaint: Complaint, *, solved: bool, satisfaction: str, note: str = "",
                expected_version: int | None = None) -> Complaint:
    """回访: the operator asks the caller whether it was solved and whether they are satisfied."""
    _require(user, HotlineRole.Role.OPERATOR, region=complaint.region)
    if satisfaction not in Satisfaction.values:
        raise Invalid("请选择满意、基本满意或不满意。", code="hotline.satisfaction_invalid")
    if not isinstance(solved, bool):
        raise Invalid("请选择是否解决。", code="hotline.solved_required")
    label = Satisfaction(satisfaction).label
    extra = f"；{note.strip()[:200]}" if note.strip() else ""

    def tell(fresh: Complaint) -> None:
        _tell_caller(fresh, "callback", f"感谢您接受诉求{fresh.number}的回访（{label}），本诉求已办结。查询：")
    return _move(complaint, "callback", actor=_actor(user), note=f"{'已解决' if solved else '未解决'}，{label}{extra}",
                 expected_version=expected_version, data={"solved": solved, "satisfaction": satisfaction},
                 solved=solved, satisfaction=satisfaction, callback_note=note.strip()[:500], closed_at=clock.now(),
                 also=tell)


def may_text(complaint: Complaint) -> bool:
    """Whether the platform may text `complaint.caller_phone` (docs/hotline.md, "SMS to the caller").

    A call registered by an operator (channel 12345热线): the caller gave the number on the phone. A web
    message or an Open311 request: only when its reporter is a signed-in resident whose verified mobile
    (the real-name account's) is the number left — a number typed into a public form is anyone's, and
    texting it would let anyone make the platform send SMS to any number (短信轰炸)."""
    if complaint.channel == Channel.PHONE:
        return True
    citizen = citizen_of(complaint.reporter)
    return citizen is not None and bool(complaint.caller_phone) and citizen.phone == complaint.caller_phone


def _tell_caller(complaint: Complaint, step: str, body: str) -> None:
    """SMS to the caller at 受理 (register), 答复 (reply) and 回访 (callback), with the progress link; in the
    step's transaction. None without a mobile number (a landline, no number), nor to a number the
    platform may not text (`may_text`: an anonymous web report, Open311). Event key per complaint, step
    and version: idempotent, and a second reply after a return is a new message."""
    phone = mobile(complaint.caller_phone)
    if not phone or not may_text(complaint):
        return
    link = public_url(f"{reverse('tracking:hotline')}?number={quote(complaint.number)}")
    do_notify(event=f"complaint:{complaint.number}:{step}:{complaint.version}", phone=phone, link=link,
              text=sms_text(mask_text(body), link))


WARN_SHARE = 0.25  # 预警 when less than this share of a stage's time (counted from registration) is left


def _stages(complaint: Complaint) -> tuple[tuple[datetime.datetime | None, datetime.datetime | None, str], ...]:
    return ((complaint.dispatch_due, complaint.dispatched_at, "派单"),
            (complaint.contact_due, complaint.contacted_at, "联系"),
            (complaint.handle_due, complaint.replied_at, "办理"),
            (complaint.reply_due, complaint.closed_at, "答复回访"))


def overdue_stage(complaint: Complaint, at: datetime.datetime | None = None) -> str:
    """The first stage whose limit has passed without being done, or was done late ("" when none).

    Dispatch ends at 派单, contact at 首次联系, handling at the unit's 答复 (办结), and the reply stage at
    the operator's 回访 — the moment the caller has the answer and has been asked about it."""
    at = at or clock.now()
    for due, done, label in _stages(complaint):
        if due and ((done and done > due) or (not done and at > due and complaint.state in OPEN_STATES)):
            return label
    return ""


def deadline_status(complaint: Complaint, at: datetime.datetime | None = None) -> tuple[str, str]:
    """("超期" | "预警" | "正常", stage): overdue as `overdue_stage`; a warning when the next stage still to
    do has less than WARN_SHARE of its time left."""
    at = at or clock.now()
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
