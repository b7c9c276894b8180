"""好差评 operations: rate a case, and the rectification loop of a bad rating.

House style as in cases.actions: `check_*` validate and check access, `do_*` write inside one transaction
together with their audit entry. Every rectification step is a compare-and-set
``UPDATE … WHERE id = ? AND state = ? AND version = ?``: of two administrators acting on the same
rectification at once, one wins and the other gets `Conflict` with nothing of theirs applied.

Errors are the cases app's exceptions (message in Chinese, `status` = the HTTP status): `CaseError` 422,
`NotAllowed` 403, `BadTransition` and `Conflict` 409. The rules are explained in docs/ratings.md.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from tongban.accounts.models import Role, StaffProfile, profile_of
from tongban.audit.actions import do_append, entries_for
from tongban.calendar.actions import YearNotLoaded, add_workdays
from tongban.cases import actions as case_actions
from tongban.cases.actions import BadTransition, CaseError, Conflict, NotAllowed, is_window_of
from tongban.cases.models import Case, State
from tongban.catalog.models import Region
from tongban.ratings.models import Level, Rating, Rectification, Source

__all__ = [
    "BadTransition", "CaseError", "Conflict", "NotAllowed", "RATEABLE_STATES", "STEPS", "allowed_steps",
    "check_rate", "do_appeal", "do_decide_appeal", "do_rate", "do_recheck", "do_rectify", "do_step", "do_verify",
    "rated_officer", "rectification_days", "responsible_region", "visible_rectifications",
]

# A rating is of the service received, so the case must have reached an outcome: decided (办结), refused
# (不予受理 is an answer too, and often the one people are unhappy with), delivered or archived.
RATEABLE_STATES = frozenset({State.DECIDED, State.REFUSED, State.DELIVERED, State.ARCHIVED})
COMMENT_MAX = 500
TEXT_MAX = 2000
MAX_RECTIFICATION_DAYS = 30

R = Rectification.State
# step → (states it may start from, state it leads to; None = decided by the step)
STEPS: dict[str, tuple[frozenset[str], str | None]] = {
    "verify": (frozenset({R.VERIFYING}), R.RECTIFYING),
    "appeal": (frozenset({R.VERIFYING}), R.APPEALED),
    "rectify": (frozenset({R.RECTIFYING}), R.FEEDBACK),
    "recheck": (frozenset({R.FEEDBACK}), R.RECHECKED),
    "decide_appeal": (frozenset({R.APPEALED}), None),  # upheld → DISMISSED, rejected → VERIFYING
}
STEP_LABELS = {"verify": "核实并确定整改期限", "appeal": "申诉", "rectify": "整改并反馈评价人",
               "recheck": "复核办结", "decide_appeal": "处理申诉"}


def today() -> datetime.date:
    # The cases app's clock, so that tests (and the whole service) agree on one 'today'.
    return case_actions.today()


def rectification_days() -> int:
    """Working days allowed for a rectification unless the verifier sets another number."""
    return int(getattr(settings, "TONGBAN_RECTIFICATION_DAYS", 5))


# ---- who is rated, who answers ------------------------------------------------------------------

def _root(region: Region) -> Region:
    return region.parent if region.parent_id else region


def _root_id(region: Region | None) -> int | None:
    if region is None:
        return None
    return region.parent_id or region.pk


def responsible_region(case: Case) -> Region:
    """The region answerable for a rating: the one that served the applicant (the receiving region,
    as a whole: 三河 → 廊坊). For an online case that is the competent region, which received it."""
    return _root(case.receiving_region)


def rated_officer(case: Case):
    """The officer the applicant dealt with: the window officer who received the case; for a case
    applied for online (no window), the last approver of the competent department in its audit trail."""
    creator = case.created_by
    if creator is not None:
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


def _is_admin(profile: StaffProfile | None) -> bool:
    return bool(profile and profile.role == Role.ADMIN)


def allowed_steps(user, rect: Rectification) -> list[str]:
    """The steps this user may take on the rectification now (for pages and the API)."""
    steps = []
    for step, (sources, _target) in STEPS.items():
        if rect.state in sources:
            try:
                check_step(user, rect, step)
            except CaseError:
                continue
            steps.append(step)
    return steps


def check_step(user, rect: Rectification, step: str) -> StaffProfile:
    """Access and state for a rectification step. The loop is the responsible region's administrators';
    an appeal is decided by an administrator of the other region (separation of duties)."""
    if step not in STEPS:
        raise CaseError(f"未知操作：{step}")
    profile = profile_of(user)
    region = _region_of(rect)
    own = _is_admin(profile) and _root_id(profile.region) == region.pk
    if step == "decide_appeal":
        if not (_is_admin(profile) and _root_id(profile.region) != region.pk):
            raise NotAllowed(f"申诉须由{region.short_name}以外地区的管理员处理，被评价地区不能自己裁决")
    elif not own:
        raise NotAllowed(f"只有{region.short_name}的管理员可以“{STEP_LABELS[step]}”")
    sources, _target = STEPS[step]
    if rect.state not in sources:
        raise BadTransition(f"该整改当前状态为“{rect.get_state_display()}”，不能“{STEP_LABELS[step]}”")
    if step == "appeal" and rect.appeal_decided_by_id:
        raise BadTransition("申诉已被驳回，同一差评不能再次申诉")
    return profile


def visible_rectifications(user):
    """The rectifications a user may see: administrators their region's and every appealed one (they may
    be asked to decide it); window officers their centre's; approvers those about them or their
    department; citizens those of their own ratings."""
    qs = Rectification.objects.select_related(
        "rating__case__item", "rating__channel", "rating__officer", "region", "rating__case__receiving_centre")
    profile = profile_of(user)
    if profile is None:
        if not getattr(user, "is_authenticated", False):
            return qs.none()
        return qs.filter(rating__rated_by=user) | qs.filter(rating__case__applicant_user=user)
    if profile.role == Role.ADMIN:
        return qs.filter(region_id=_root_id(profile.region)) | qs.exclude(appeal_reason="")
    if profile.role == Role.WINDOW:
        if not profile.centre_id:
            return qs.none()
        return qs.filter(rating__case__receiving_centre_id=profile.centre_id)
    return qs.filter(rating__officer=user) | qs.filter(rating__case__competent_department_id=profile.department_id)


# ---- rating -------------------------------------------------------------------------------------

def check_rate(user, case: Case) -> str:
    """Who may rate and when; returns the rating's `source`. Checked in this order: access (403), the
    case's state (409), once per case (409)."""
    profile = profile_of(user)
    if profile is None:
        if not (getattr(user, "is_authenticated", False) and case.applicant_user_id == user.pk):
            raise NotAllowed("只有本办件的申请人可以评价")
        source = Source.APPLICANT
    elif is_window_of(profile, case):
        if case.applicant_user_id:
            raise NotAllowed("该办件由申请人在网上账号中评价，窗口不能代录")
        source = Source.COUNTER
    else:
        raise NotAllowed("只有本办件的申请人，或收件窗口为现场办事的申请人代录，可以评价")
    if case.state not in RATEABLE_STATES:
        raise BadTransition(f"办件 {case.number} 当前状态为“{case.get_state_display()}”，办结后才能评价")
    if Rating.objects.filter(case=case).exists():
        raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次")
    return source


def _check_level(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if isinstance(level, bool) or value not in Level.values or str(level).strip() != str(value):
        raise CaseError("请选择评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意")
    return value


def _text(value, label: str, *, required: bool = True, max_length: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise CaseError(f"请填写{label}")
    if len(text) > max_length:
        raise CaseError(f"{label}不能超过 {max_length} 个字")
    return text


def do_rate(user, case: Case, *, level, comment: str = "") -> Rating:
    """Rate a case (好差评), once. A bad rating (1 or 2) opens its rectification in the same transaction.

    Locks: none; the unique `case` column decides between two simultaneous ratings (the loser gets
    `Conflict`, nothing of it is kept).
    """
    source = check_rate(user, case)
    level = _check_level(level)
    comment = _text(comment, "评价意见", required=False, max_length=COMMENT_MAX)
    officer = rated_officer(case)
    now = case_actions.now()
    subject = f"case:{case.number}"
    try:
        with transaction.atomic():
            rating = Rating.objects.create(case=case, level=level, comment=comment, channel=case.receiving_channel,
                                           officer=officer, rated_by=user, created_at=now, source=source)
            rect = None
            if rating.is_bad:
                rect = Rectification.objects.create(rating=rating, region=responsible_region(case), opened_at=now)
            do_append(actor=user.get_username(), action="rating.rate", subject=subject,
                      data={"rating": rating.pk, "level": level, "source": source, "comment": comment,
                            "channel": rating.channel.name if rating.channel else None,
                            "officer": officer.get_username() if officer else None})
            if rect is not None:
                do_append(actor=user.get_username(), action="rectification.open", subject=subject,
                          data={"rectification": rect.pk, "region": rect.region.code, "state": rect.state})
    except IntegrityError:
        if Rating.objects.filter(case=case).exists():
            raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次") from None
        raise
    return rating


# ---- the rectification loop ---------------------------------------------------------------------

def do_step(user, rect: Rectification, step: str, *, expected_version: int | None = None,
            **params) -> Rectification:
    """Apply one step by name (the API and pages call this); see the do_* functions for each."""
    check_step(user, rect, step)
    changes, target, audit = _changes(user, rect, step, params)
    return _apply(user, rect, step, target, changes, audit, expected_version)


def do_verify(user, rect: Rectification, finding: str, days: int | None = None, *,
              expected_version: int | None = None) -> Rectification:
    """核实: the bad rating is confirmed; rectify within `days` working days (default
    TONGBAN_RECTIFICATION_DAYS, 5), counted from today on the official calendar."""
    return do_step(user, rect, "verify", expected_version=expected_version, finding=finding, days=days)


def do_rectify(user, rect: Rectification, measures: str, feedback: str, *,
               expected_version: int | None = None) -> Rectification:
    """整改并反馈: the measures taken, and what the rater is told."""
    return do_step(user, rect, "rectify", expected_version=expected_version, measures=measures, feedback=feedback)


def do_recheck(user, rect: Rectification, note: str, *, expected_version: int | None = None) -> Rectification:
    """复核: the administrator checks the rectification and closes it."""
    return do_step(user, rect, "recheck", expected_version=expected_version, note=note)


def do_appeal(user, rect: Rectification, reason: str, *, expected_version: int | None = None) -> Rectification:
    """申诉: the rated region says the rating was wrongly attributed (e.g. it is about the other region)."""
    return do_step(user, rect, "appeal", expected_version=expected_version, reason=reason)


def do_decide_appeal(user, rect: Rectification, uphold: bool, note: str = "", *,
                     expected_version: int | None = None) -> Rectification:
    """An administrator of the other region decides an appeal: upheld → DISMISSED and the rating is
    excluded from the figures; rejected → back to VERIFYING (and no second appeal)."""
    return do_step(user, rect, "decide_appeal", expected_version=expected_version, uphold=uphold, note=note)


def _changes(user, rect: Rectification, step: str, params: dict) -> tuple[dict, str, dict]:
    """The validated field changes of a step, its target state and the data for its audit entry."""
    target = STEPS[step][1]
    if step == "verify":
        finding = _text(params.get("finding"), "核实情况")
        days = params.get("days")
        days = rectification_days() if days in (None, "") else days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RECTIFICATION_DAYS:
            raise CaseError(f"整改期限须为 1–{MAX_RECTIFICATION_DAYS} 个工作日")
        try:
            due_on = add_workdays(today(), days)
        except YearNotLoaded as exc:
            raise CaseError(f"不能确定整改期限：{exc}") from None
        return ({"verified_finding": finding, "due_on": due_on}, target,
                {"finding": finding, "days": days, "due_on": due_on})
    if step == "rectify":
        measures = _text(params.get("measures"), "整改措施")
        feedback = _text(params.get("feedback"), "反馈评价人的内容")
        on = today()
        return ({"measures": measures, "feedback": feedback, "rectified_on": on}, target,
                {"measures": measures, "feedback": feedback, "late": bool(rect.due_on and on > rect.due_on)})
    if step == "recheck":
        note = _text(params.get("note"), "复核意见")
        return {"recheck_note": note, "closed_at": case_actions.now()}, target, {"note": note}
    if step == "appeal":
        reason = _text(params.get("reason"), "申诉理由")
        return {"appeal_reason": reason}, target, {"reason": reason}
    uphold = params.get("uphold")
    if not isinstance(uphold, bool):
        raise CaseError("请选择申诉是否成立")
    note = _text(params.get("note"), "申诉处理意见", required=False)
    changes = {"appeal_decided_by": user, "appeal_decision_note": note}
    if uphold:
        changes["closed_at"] = case_actions.now()
    return changes, (R.DISMISSED if uphold else R.VERIFYING), {"uphold": uphold, "note": note}


def _apply(user, rect: Rectification, step: str, target: str, changes: dict, audit: dict,
           expected_version: int | None) -> Rectification:
    """Compare-and-set, the rating's exclusion for an upheld appeal, and the audit entry, in one transaction.
    Locks: none held; the conditional UPDATE decides."""
    version = rect.version if expected_version is None else expected_version
    case = rect.rating.case
    with transaction.atomic():
        updated = Rectification.objects.filter(pk=rect.pk, state=rect.state, version=version).update(
            state=target, version=version + 1, **changes)
        if not updated:
            raise Conflict(f"办件 {case.number} 的整改已被他人处理或已更新，请刷新后再操作")
        if target == R.DISMISSED:
            Rating.objects.filter(pk=rect.rating_id).update(excluded=True)
        do_append(actor=user.get_username(), action=f"rectification.{step}", subject=f"case:{case.number}",
                  data={"rectification": rect.pk, "from": rect.state, "to": target, "version": version + 1, **audit})
    return Rectification.objects.select_related("rating__case", "region").get(pk=rect.pk)
