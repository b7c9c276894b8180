"""好差评 by a one-time link: the invitation sent at delivery, and the rating given through it.

`invite(case, before)` is a case listener (setting `TONGBAN_CASE_LISTENERS`, called by
`cases.ports.case_changed` inside the transaction of every case change). When a case becomes 已送达 it
creates the case's `RatingInvitation` and queues an SMS (and a 站内信 if the applicant has an account) with
the link `<TONGBAN_PUBLIC_URL>/rate/<token>/`.

Decisions:

- **When**: on entering 已送达 only — for every delivery kind, electronic included (an electronic
  licence is delivered by the `deliver` step too), and for refusals delivered (不予受理 is rated as
  well). Not at 已办结: the applicant has not received anything yet, and the window's part (handing
  over the result) is part of what is rated.
- **Where**: only on the node that tells the applicant (`federation().tells_applicant(case)`: the
  receiving node, which received them), so a case spanning two nodes sends one invitation.
- **Once**: one invitation per case (OneToOne), and none when the case was already rated (at the
  counter or in the account). The notification's event `rating-invite:<number>` is idempotent too.
- **The link** rates the window's and the department's service separately (`Target`), both at once;
  a bad rating must name a reason from `BadReason`. It works once: `used_at` is set by compare-and-set
  (``UPDATE … WHERE used_at IS NULL``) in the transaction that saves the ratings, so of two submissions
  one wins and the other gets ``rating.link_used`` with nothing saved. An unknown token is a 404.
- The token is `secrets.token_urlsafe(32)` and is never written to the audit trail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from tongban.audit.actions import do_append
from tongban.audit.masking import mask_text
from tongban.cases.models import Case, State
from tongban.cases.ports import federation
from tongban.core import clock
from tongban.core.errors import BadTransition, Conflict, Invalid, NotFound
from tongban.notifications.actions import do_notify
from tongban.notifications.texts import mobile, public_url, sms_text
from tongban.ratings.actions import RATEABLE_STATES, check_comment, check_level, save_rating
from tongban.ratings.models import BAD_LEVELS, BadReason, Rating, RatingInvitation, Source, Target

__all__ = ["LINK_ACTOR", "RatingInput", "check_invitation", "check_rate_by_link", "do_rate_by_link", "invite"]

LINK_ACTOR = "申请人（短信评价链接）"


def invite(case: Case, before: str) -> None:
    """Case listener: invite the applicant to rate when the case has just been delivered (see above)."""
    if case.state != State.DELIVERED or before == State.DELIVERED:
        return
    if not federation().tells_applicant(case):
        return
    if Rating.objects.filter(case=case).exists() or RatingInvitation.objects.filter(case=case).exists():
        return
    now = clock.now()
    invitation = RatingInvitation.objects.create(case=case, token=secrets.token_urlsafe(32), created_at=now)
    link = public_url(reverse("ratings:rate_link", args=[invitation.token]))
    phone = mobile(case.applicant_phone)
    body = f"您的办件{case.number}已办结送达，请为本次服务评价（链接仅可使用一次）："
    do_notify(event=f"rating-invite:{case.number}", phone=phone, user=case.applicant_user, link=link,
              text=sms_text(mask_text(body), link))
    do_append(at=now, actor="system", action="rating.invite", subject=f"case:{case.number}",
              data={"invitation": invitation.pk, "sms": bool(phone), "inbox": case.applicant_user_id is not None})


def check_invitation(token: str) -> RatingInvitation:
    """The invitation of a link; NotFound ``rating.link_not_found`` for an unknown token (no hint)."""
    invitation = (RatingInvitation.objects.select_related(
        "case__item", "case__receiving_channel", "case__receiving_centre", "case__competent_department__region",
        "case__receiving_region").filter(token=token).first() if token and len(token) <= 64 else None)
    if invitation is None:
        raise NotFound("评价链接无效", code="rating.link_not_found")
    return invitation


@dataclass(frozen=True)
class RatingInput:
    """One target's rating as submitted: a level 1–5, a 差评 reason (required when bad), a comment."""

    level: Any
    reason: str = ""
    comment: str = ""


def _check_input(target: str, given: RatingInput) -> tuple[int, str, str]:
    level = check_level(given.level)
    reason = (given.reason or "").strip()
    if level in BAD_LEVELS:
        if not reason:
            raise Invalid(f"请选择对{Target(target).label}不满意的原因", code="rating.reason_required")
        if reason not in BadReason.values:
            raise Invalid("请从列表中选择不满意的原因", code="rating.reason_invalid")
    else:
        reason = ""  # a reason belongs to a bad rating only
    comment = check_comment(given.comment)
    return level, reason, comment


def check_rate_by_link(invitation: RatingInvitation) -> None:
    """The link is unused and the case can still be rated (nobody rated it at the counter meanwhile)."""
    case = invitation.case
    used = invitation.used_at is not None or RatingInvitation.objects.filter(
        pk=invitation.pk, used_at__isnull=False).exists()  # a page opened before the link was used elsewhere
    if used:
        raise Conflict("该评价链接已使用，每个办件只能评价一次", code="rating.link_used")
    if case.state not in RATEABLE_STATES:  # not reached for a delivered case; a guard for the future
        raise BadTransition(f"办件 {case.number} 当前不能评价", code="rating.not_rateable")
    if Rating.objects.filter(case=case).exists():
        raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次", code="rating.already_rated")


def do_rate_by_link(invitation: RatingInvitation, *, window: RatingInput, department: RatingInput) -> list[Rating]:
    """Rate the window's and the department's service through the link, once. A bad rating of either
    opens its own rectification (the window's: the receiving region's; the department's: its region's).

    Locks: none; the compare-and-set on `used_at` decides between two submissions of the link, the
    unique (case, target) between the link and a rating at the counter. The loser changes nothing."""
    check_rate_by_link(invitation)
    given = {Target.WINDOW: _check_input(Target.WINDOW, window),
             Target.DEPARTMENT: _check_input(Target.DEPARTMENT, department)}
    case = invitation.case
    now = clock.now()
    ratings = []
    try:
        with transaction.atomic():
            if not RatingInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now):
                raise Conflict("该评价链接已使用，每个办件只能评价一次", code="rating.link_used")
            for target, (level, reason, comment) in given.items():
                ratings.append(save_rating(case, target=target, level=level, reason=reason, comment=comment,
                                           source=Source.LINK, rated_by=case.applicant_user, actor=LINK_ACTOR,
                                           at=now))
    except IntegrityError:
        raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次", code="rating.already_rated") from None
    invitation.used_at = now
    return ratings
