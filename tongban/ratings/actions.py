"""好差评 operations: rate a case, and the rectification loop of a bad rating.

House style as in cases.actions: `check_*` validate and check access, `do_*` write inside one transaction
together with their audit entry. Every rectification step goes through `RECTIFICATION`
(tongban.core.transitions.StateMachine): a compare-and-set ``UPDATE … WHERE id = ? AND state = ? AND
version = ?``, so of two administrators acting on the same rectification at once, one wins and the other
gets `Conflict` (``rectification.conflict``) with nothing of theirs applied.

Refusals are tongban.core.errors with codes ``rating.*`` and ``rectification.*`` (listed in
docs/ratings.md). The rules are explained there too.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from tongban.accounts.models import Role, StaffProfile, profile_of
from tongban.audit.actions import do_append, entries_for
from tongban.audit.masking import mask_text
from tongban.calendar.actions import YearNotLoaded, add_workdays
from tongban.cases.actions import is_window_of
from tongban.cases.models import Case, State
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed, TongbanError, Unavailable
from tongban.core.transitions import StateMachine, Step
from tongban.core.typing import Actor, User
from tongban.notifications.actions import do_notify
from tongban.notifications.texts import mobile, sms_text
from tongban.ratings.models import Level, Rating, Rectification, RectificationQuerySet, Source, Target

__all__ = [
    "COMMENT_MAX", "RATEABLE_STATES", "RECTIFICATION", "STEPS", "STEP_LABELS", "allowed_steps", "check_comment",
    "check_level", "check_rate", "check_step", "do_appeal", "do_decide_appeal", "do_rate", "do_recheck",
    "do_rectify", "do_step", "do_verify", "rated_officer", "rectification_days", "responsible_region",
    "save_rating", "visible_rectifications",
]

# A rating is of the service received, so the case must have reached an outcome: decided (办结), refused
# (不予受理 is an answer too, and often the one people are unhappy with), delivered or archived.
RATEABLE_STATES = frozenset({State.DECIDED, State.REFUSED, State.DELIVERED, State.ARCHIVED})
COMMENT_MAX = 500
TEXT_MAX = 2000
MAX_RECTIFICATION_DAYS = 30

R = Rectification.State
STEPS: dict[str, Step] = {
    "verify": Step(frozenset({R.VERIFYING}), R.RECTIFYING, "核实并确定整改期限"),
    "appeal": Step(frozenset({R.VERIFYING}), R.APPEALED, "申诉"),
    "rectify": Step(frozenset({R.RECTIFYING}), R.FEEDBACK, "整改并反馈评价人"),
    "recheck": Step(frozenset({R.FEEDBACK}), R.RECHECKED, "复核办结"),
    "decide_appeal": Step(frozenset({R.APPEALED}), None, "处理申诉"),  # upheld → DISMISSED, rejected → VERIFYING
}
# Audit actions stay "rectification.<step>" on the case's trail (subject "case:<number>"), as before.
RECTIFICATION: StateMachine[Rectification] = StateMachine(
    Rectification, STEPS, area="rectification",
    noun=lambda rect: f"办件 {rect.rating.case.number} 的整改",
    subject=lambda rect: f"case:{rect.rating.case.number}")
STEP_LABELS = RECTIFICATION.labels


def rectification_days() -> int:
    """Working days allowed for a rectification unless the verifier sets another number."""
    return int(getattr(settings, "TONGBAN_RECTIFICATION_DAYS", 5))


# ---- who is rated, who answers ------------------------------------------------------------------

def _root(region: Region) -> Region:
    return region.parent if region.parent is not None else region


def _root_id(region: Region) -> int:
    return region.parent_id or region.pk


def responsible_region(case: Case, target: str = Target.WINDOW) -> Region:
    """The region answerable for a rating: for the window, the one that served the applicant (the
    receiving region, as a whole: 三河 → 廊坊; for an online case the competent region, which received
    it); for the department, the deciding department's region."""
    if target == Target.DEPARTMENT:
        return _root(case.competent_department.region)
    return _root(case.receiving_region)


def rated_officer(case: Case, target: str = Target.WINDOW) -> User | None:
    """The officer the applicant dealt with: the window officer who received the case; for a case
    applied for online (no window), and for a rating of the department, the last approver of the
    competent department in its audit trail."""
    creator = case.created_by
    if creator is not None and target == Target.WINDOW:
        profile = profile_of(creator)
        if profile is not None and profile.role == Role.WINDOW:
            return creator
    actors = list(entries_for(f"case:{case.number}").order_by("-seq").values_list("actor", flat=True))
    approvers = dict(StaffProfile.objects.filter(
        role=Role.APPROVER, department_id=case.competent_department_id, user__username__in=set(actors),
    ).values_list("user__username", "user_id"))
    for actor in actors:
        if actor in approvers:
            return get_user_model().objects.get(pk=approvers[actor])
    return None


def _region_of(rect: Rectification) -> Region:
    return rect.region or responsible_region(rect.rating.case)


def allowed_steps(user: Actor, rect: Rectification) -> list[str]:
    """The steps this user may take on the rectification now (for pages and the API)."""
    steps = []
    for step in RECTIFICATION.startable(rect):
        try:
            check_step(user, rect, step)
        except TongbanError:
            continue
        steps.append(step)
    return steps


def check_step(user: Actor, rect: Rectification, step: str) -> StaffProfile:
    """Access and state for a rectification step. The loop is the responsible region's administrators';
    an appeal is decided by an administrator of the other region (separation of duties)."""
    RECTIFICATION.step(step)  # an unknown step: Invalid rectification.unknown_action
    profile = profile_of(user)
    admin = profile if profile is not None and profile.role == Role.ADMIN else None
    region = _region_of(rect)
    if step == "decide_appeal":
        if admin is None or _root_id(admin.region) == region.pk:
            raise NotAllowed(f"申诉须由{region.short_name}以外地区的管理员处理，被评价地区不能自己裁决",
                             code="rectification.appeal_by_other_region")
    elif admin is None or _root_id(admin.region) != region.pk:
        raise NotAllowed(f"只有{region.short_name}的管理员可以“{STEP_LABELS[step]}”",
                         code="rectification.not_allowed")
    RECTIFICATION.check(rect, step)  # the state: BadTransition rectification.bad_transition
    if step == "appeal" and rect.appeal_decided_by_id:
        raise BadTransition("申诉已被驳回，同一差评不能再次申诉", code="rectification.appeal_once")
    return admin


def visible_rectifications(user: Actor) -> RectificationQuerySet:
    """The rectifications a user may see: administrators their region's and every appealed one (they may
    be asked to decide it); window officers their centre's; approvers those about them or their
    department; citizens those of their own ratings."""
    qs = Rectification.objects.select_related(
        "rating__case__item", "rating__channel", "rating__officer", "region", "rating__case__receiving_centre")
    if not user.is_authenticated:
        return qs.none()
    profile = profile_of(user)
    if profile is None:
        return qs.filter(rating__rated_by=user) | qs.filter(rating__case__applicant_user=user)
    if profile.role == Role.ADMIN:
        return qs.filter(region_id=_root_id(profile.region)) | qs.exclude(appeal_reason="")
    if profile.role == Role.WINDOW:
        if not profile.centre_id:
            return qs.none()
        return qs.filter(rating__case__receiving_centre_id=profile.centre_id)
    return qs.filter(rating__officer=user) | qs.filter(rating__case__competent_department_id=profile.department_id)


# ---- rating -------------------------------------------------------------------------------------

def check_rate(user: Actor, case: Case) -> str:
    """Who may rate and when; returns the rating's `source`. Checked in this order: access (403), the
    case's state (409), once per case (409)."""
    profile = profile_of(user)
    if profile is None:
        if not (user.is_authenticated and case.applicant_user_id == user.pk):
            raise NotAllowed("只有本办件的申请人可以评价", code="rating.not_allowed")
        source = Source.APPLICANT
    elif is_window_of(profile, case):
        if case.applicant_user_id:
            raise NotAllowed("该办件由申请人在网上账号中评价，窗口不能代录", code="rating.applicant_rates_online")
        source = Source.COUNTER
    else:
        raise NotAllowed("只有本办件的申请人，或收件窗口为现场办事的申请人代录，可以评价", code="rating.not_allowed")
    if case.state not in RATEABLE_STATES:
        raise BadTransition(f"办件 {case.number} 当前状态为“{case.get_state_display()}”，办结后才能评价",
                            code="rating.not_rateable")
    if Rating.objects.filter(case=case).exists():
        raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次", code="rating.already_rated")
    return source


def check_level(level: Any) -> int:
    """The rating level 1–5 as an int; Invalid ``rating.level_invalid`` otherwise."""
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if isinstance(level, bool) or value not in Level.values or str(level).strip() != str(value):
        raise Invalid("请选择评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意",
                      code="rating.level_invalid")
    return value


def _text(value: Any, label: str, code: str, *, required: bool = True, max_length: int = TEXT_MAX) -> str:
    """The stripped text; refused with `<code>_required` when missing, `<code>_too_long` when too long."""
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{label}", code=f"{code}_required")
    if len(text) > max_length:
        raise Invalid(f"{label}不能超过 {max_length} 个字", code=f"{code}_too_long")
    return text


def check_comment(value: Any) -> str:
    """A rating's optional comment, stripped; Invalid ``rating.comment_too_long`` beyond COMMENT_MAX."""
    return _text(value, "评价意见", "rating.comment", required=False, max_length=COMMENT_MAX)


def save_rating(case: Case, *, target: str, level: int, comment: str, source: str, rated_by: User | None,
                actor: str, at: datetime.datetime, reason: str = "") -> Rating:
    """Write one (validated) rating, open its rectification when it is bad, and audit both (`rating.rate`,
    `rectification.open`). Call inside the caller's transaction (do_rate, invite.do_rate_by_link)."""
    officer = rated_officer(case, target)
    rating = Rating.objects.create(
        case=case, target=target, level=level, reason=reason, comment=comment, officer=officer,
        channel=case.receiving_channel if target == Target.WINDOW else None,
        rated_by=rated_by, created_at=at, source=source)
    rect = None
    if rating.is_bad:
        rect = Rectification.objects.create(rating=rating, region=responsible_region(case, target), opened_at=at)
    subject = f"case:{case.number}"
    do_append(at=at, actor=actor, action="rating.rate", subject=subject,
              data={"rating": rating.pk, "target": target, "level": level, "reason": reason, "source": source,
                    "comment": comment, "channel": rating.channel.name if rating.channel else None,
                    "officer": officer.get_username() if officer else None})
    if rect is not None:
        do_append(at=at, actor=actor, action="rectification.open", subject=subject,
                  data={"rectification": rect.pk, "region": _region_of(rect).code, "state": rect.state})
    return rating


def do_rate(user: Actor, case: Case, *, level: Any, comment: str = "") -> Rating:
    """Rate a case (好差评), once. A bad rating (1 or 2) opens its rectification in the same transaction.

    Locks: none; the unique `case` column decides between two simultaneous ratings (the loser gets
    `Conflict` rating.already_rated, nothing of it is kept).
    """
    source = check_rate(user, case)
    if not user.is_authenticated:  # not reached: check_rate lets only a signed-in applicant or officer rate
        raise NotAllowed("只有本办件的申请人可以评价", code="rating.not_allowed")
    level = check_level(level)
    comment = check_comment(comment)
    try:
        with transaction.atomic():
            rating = save_rating(case, target=Target.WINDOW, level=level, comment=comment, source=source,
                                 rated_by=user, actor=user.get_username(), at=clock.now())
    except IntegrityError:
        if Rating.objects.filter(case=case).exists():
            raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次", code="rating.already_rated") from None
        raise
    return rating


# ---- the rectification loop ---------------------------------------------------------------------

def do_step(user: Actor, rect: Rectification, step: str, *, expected_version: int | None = None,
            **params: Any) -> Rectification:
    """Apply one step by name (the API and pages call this); see the do_* functions for each.

    Locks: none held; the conditional UPDATE of `RECTIFICATION.apply` decides (then the audit head)."""
    check_step(user, rect, step)
    changes, target, audit = _changes(user, rect, step, params)

    def after(fresh: Rectification) -> None:
        if fresh.state == R.DISMISSED:  # an upheld appeal: the rating leaves the figures, in the same transaction
            Rating.objects.filter(pk=fresh.rating_id).update(excluded=True)
        if step == "rectify":  # 整改并反馈评价人: the rater is told, by SMS and 站内信, with the change
            _tell_rater(fresh)

    RECTIFICATION.apply(rect, step, actor=user.get_username(), target=target, expected_version=expected_version,
                        changes=changes, data={"rectification": rect.pk, **audit}, after=after)
    return Rectification.objects.select_related("rating__case", "region").get(pk=rect.pk)


def _tell_rater(rect: Rectification) -> None:
    """Send the rectification's feedback to whoever rated: the applicant (whether they rated in their
    account, at the counter or through the link), to the case's mobile number and their account. The
    feedback is staff's free text: masked before it goes out."""
    rating = Rating.objects.select_related("case__applicant_user").get(pk=rect.rating_id)
    case = rating.case
    body = f"您对办件{case.number}的{rating.get_target_display()}评价，整改情况如下：{rect.feedback}"
    do_notify(event=f"rectification-feedback:{rect.pk}", phone=mobile(case.applicant_phone),
              user=case.applicant_user, text=sms_text(mask_text(body)))


def do_verify(user: Actor, rect: Rectification, finding: str, days: int | None = None, *,
              expected_version: int | None = None) -> Rectification:
    """核实: the bad rating is confirmed; rectify within `days` working days (default
    TONGBAN_RECTIFICATION_DAYS, 5), counted from today on the official calendar."""
    return do_step(user, rect, "verify", expected_version=expected_version, finding=finding, days=days)


def do_rectify(user: Actor, rect: Rectification, measures: str, feedback: str, *,
               expected_version: int | None = None) -> Rectification:
    """整改并反馈: the measures taken, and what the rater is told."""
    return do_step(user, rect, "rectify", expected_version=expected_version, measures=measures, feedback=feedback)


def do_recheck(user: Actor, rect: Rectification, note: str, *, expected_version: int | None = None) -> Rectification:
    """复核: the administrator checks the rectification and closes it."""
    return do_step(user, rect, "recheck", expected_version=expected_version, note=note)


def do_appeal(user: Actor, rect: Rectification, reason: str, *, expected_version: int | None = None) -> Rectification:
    """申诉: the rated region says the rating was wrongly attributed (e.g. it is about the other region)."""
    return do_step(user, rect, "appeal", expected_version=expected_version, reason=reason)


def do_decide_appeal(user: Actor, rect: Rectification, uphold: bool, note: str = "", *,
                     expected_version: int | None = None) -> Rectification:
    """An administrator of the other region decides an appeal: upheld → DISMISSED and the rating is
    excluded from the figures; rejected → back to VERIFYING (and no second appeal)."""
    return do_step(user, rect, "decide_appeal", expected_version=expected_version, uphold=uphold, note=note)


def _changes(user: Actor, rect: Rectification, step: str,
             params: dict[str, Any]) -> tuple[dict[str, Any], str | None, dict[str, Any]]:
    """The validated field changes of a step, its target state (None: the table's) and its audit data."""
    if step == "verify":
        finding = _text(params.get("finding"), "核实情况", "rectification.finding")
        days = params.get("days")
        days = rectification_days() if days in (None, "") else days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RECTIFICATION_DAYS:
            raise Invalid(f"整改期限须为 1–{MAX_RECTIFICATION_DAYS} 个工作日", code="rectification.days_invalid")
        try:
            due_on = add_workdays(clock.today(), days)
        except YearNotLoaded as exc:
            raise Unavailable(f"不能确定整改期限：{exc}", code="rectification.year_not_loaded") from None
        return ({"verified_finding": finding, "due_on": due_on}, None,
                {"finding": finding, "days": days, "due_on": due_on})
    if step == "rectify":
        measures = _text(params.get("measures"), "整改措施", "rectification.measures")
        feedback = _text(params.get("feedback"), "反馈评价人的内容", "rectification.feedback")
        on = clock.today()
        return ({"measures": measures, "feedback": feedback, "rectified_on": on}, None,
                {"measures": measures, "feedback": feedback, "late": bool(rect.due_on and on > rect.due_on)})
    if step == "recheck":
        note = _text(params.get("note"), "复核意见", "rectification.note")
        return {"recheck_note": note, "closed_at": clock.now()}, None, {"note": note}
    if step == "appeal":
        reason = _text(params.get("reason"), "申诉理由", "rectification.reason")
        return {"appeal_reason": reason}, None, {"reason": reason}
    uphold = params.get("uphold")
    if not isinstance(uphold, bool):
        raise Invalid("请选择申诉是否成立", code="rectification.uphold_required")
    note = _text(params.get("note"), "申诉处理意见", "rectification.decision_note", required=False)
    changes: dict[str, Any] = {"appeal_decided_by": user, "appeal_decision_note": note}
    if uphold:
        changes["closed_at"] = clock.now()
    return changes, (R.DISMISSED if uphold else R.VERIFYING), {"uphold": uphold, "note": note}
