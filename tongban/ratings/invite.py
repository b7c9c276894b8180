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

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.audit.actions import do_append
from tongban.cases.models import Case, State
from tongban.cases.ports import federation
from tongban.core import clock
from tongban.core.errors import BadTransition, Conflict, Invalid, NotFound
from tongban.notifications.actions import do_notify
from tongban.ratings.actions import (
    COMMENT_MAX,
    RATEABLE_STATES,
    _check_level,
    _region_of,
    _text,
    mobile_of,
    rated_officer,
    responsible_region,
)
from tongban.ratings.models import BAD_LEVELS, BadReason, Rating, RatingInvitation, Rectification, Source, Target

__all__ = ["LINK_ACTOR", "RatingInput", "check_invitation", "check_rate_by_link", "do_rate_by_link", "invite",
           "link_of"]

LINK_ACTOR = "申请人（短信评价链接）"


def link_of(invitation: RatingInvitation) -> str:
    """The absolute link of the rating page, on the node's public address (setting TONGBAN_PUBLIC_URL)."""
    return f"{settings.TONGBAN_PUBLIC_URL.rstrip('/')}/rate/{invitation.token}/"


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
    link = link_of(invitation)
    phone = mobile_of(case.applicant_phone)
    do_notify(event=f"rating-invite:{case.number}", phone=phone, user=case.applicant_user, link=link,
              text=f"【通办】您的办件{case.number}已办结送达，请为本次服务评价（链接仅可使用一次）：{link}")
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
    level = _check_level(given.level)
    reason = (given.reason or "").strip()
    if level in BAD_LEVELS:
        if not reason:
            raise Invalid(f"请选择对{Target(target).label}不满意的原因", code="rating.reason_required")
        if reason not in BadReason.values:
            raise Invalid("请从列表中选择不满意的原因", code="rating.reason_invalid")
    else:
        reason = ""  # a reason belongs to a bad rating only
    comment = _text(given.comment, "评价意见", "rating.comment", required=False, max_length=COMMENT_MAX)
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
    subject = f"case:{case.number}"
    ratings = []
    try:
        with transaction.atomic():
            if not RatingInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now):
                raise Conflict("该评价链接已使用，每个办件只能评价一次", code="rating.link_used")
            for target, (level, reason, comment) in given.items():
                officer = rated_officer(case, target)
                rating = Rating.objects.create(
                    case=case, target=target, level=level, reason=reason, comment=comment, officer=officer,
                    channel=case.receiving_channel if target == Target.WINDOW else None,
                    rated_by=case.applicant_user, created_at=now, source=Source.LINK)
                ratings.append(rating)
                rect = None
                if rating.is_bad:
                    rect = Rectification.objects.create(rating=rating, region=responsible_region(case, target),
                                                        opened_at=now)
                do_append(at=now, actor=LINK_ACTOR, action="rating.rate", subject=subject,
                          data={"rating": rating.pk, "target": target, "level": level, "reason": reason,
                                "source": Source.LINK, "comment": comment,
                                "channel": rating.channel.name if rating.channel else None,
                                "officer": officer.get_username() if officer else None})
                if rect is not None:
                    do_append(at=now, actor=LINK_ACTOR, action="rectification.open", subject=subject,
                              data={"rectification": rect.pk, "region": _region_of(rect).code, "state": rect.state})
    except IntegrityError:
        raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次", code="rating.already_rated") from None
    invitation.used_at = now
    return ratings
