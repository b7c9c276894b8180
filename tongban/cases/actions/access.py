"""Who may see and do what with a case."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.citizens import applicant_keys
from tongban.accounts.models import Role, StaffProfile, profile_of
from tongban.cases.actions.common import ACTION_LABELS
from tongban.cases.models import Case, Delivery
from tongban.catalog.models import Mode, Region
from tongban.core.errors import NotAllowed
from tongban.core.typing import Actor, User

# what a list of cases shows about each (pages and API)
RELATED = ("item", "item_version", "receiving_region", "receiving_centre", "competent_region", "competent_department")


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


def own_cases_filter(user: Actor) -> Q:
    """A resident's (办事人's) cases: filed under their account, or any case carrying both the ID number
    and the verified phone of their real-name account (accounts.citizens.applicant_keys,
    docs/citizens.md). An ID number alone is not enough: anyone may type it at a window.
    `is_own_case` is the same rule for one case in hand."""
    own = Q(applicant_user_id=user.pk)
    keys = applicant_keys(user)
    if keys is not None:
        own |= Q(applicant_id_number=keys.id_number, applicant_phone=keys.phone)
    return own


def is_own_case(user: Actor, case: Case) -> bool:
    if case.applicant_user_id == user.pk:
        return True
    keys = applicant_keys(user)
    return keys is not None and (case.applicant_id_number, case.applicant_phone) == (keys.id_number, keys.phone)


def can_view(user: Actor, case: Case) -> bool:
    """Citizens their own cases; windows their centre's; approvers their department's; admins their region's."""
    profile = profile_of(user)
    if profile is None:
        return bool(user.is_authenticated and is_own_case(user, case))
    if (profile.role == Role.APPROVER and profile.department_id is not None
            and case.joint_tasks.filter(department_id=profile.department_id).exists()):
        return True  # a department doing its part of a 多地联办 case
    admin_regions = (case.competent_region_id, case.receiving_region_id, case.receiving_region.parent_id,
                     case.delegating_region_id)  # a region sees what it delegated (审批交叉授权)
    return (is_window_of(profile, case) or is_approver_of(profile, case) or is_bank_of(profile, case)
            or (profile.role == Role.ADMIN and profile.region_id in admin_regions))


def visible_cases(user: Actor) -> QuerySet[Case]:
    """The cases `user` may see (the same rule as `can_view`, as a query): the lists of pages and API.

    A profile missing its centre, channel or department sees nothing (not the cases where it is None)."""
    profile = profile_of(user)
    qs = Case.objects.select_related(*RELATED)
    if profile is None:  # an anonymous actor sees nothing
        return qs.filter(own_cases_filter(user)) if user.is_authenticated else qs.none()
    if profile.role == Role.BANK:  # 政银合作: what its outlet received
        return qs.filter(receiving_channel=profile.channel) if profile.channel_id else qs.none()
    if profile.role == Role.WINDOW:
        return qs.filter(receiving_centre=profile.centre) if profile.centre_id else qs.none()
    if profile.role == Role.APPROVER:  # its own queue, and 多地联办 cases where it has a part
        if not profile.department_id:
            return qs.none()
        return (qs.filter(competent_department=profile.department)
                | qs.filter(joint_tasks__department=profile.department)).distinct()
    return (qs.filter(competent_region=profile.region) | qs.filter(receiving_region=profile.region)
            | qs.filter(receiving_region__parent=profile.region) | qs.filter(delegating_region=profile.region))


def is_online_applicant(user: Actor, case: Case) -> bool:
    """The citizen who applied for this 全程网办 case online (its `applicant_user`), not staff."""
    return bool(user.is_authenticated and case.mode == Mode.ONLINE and case.applicant_user_id == user.pk
                and profile_of(user) is None)


def check_actor(user: Actor, case: Case, action: str) -> StaffProfile | None:
    """The actor's profile if they may take `action` on `case`; else `NotAllowed` (case.not_allowed).

    One step is the applicant's own: `supplement_received` on their 全程网办 case (网上补正, with the
    files: actions.materials.do_supplement_online); then there is no profile (None)."""
    if action == "supplement_received" and is_online_applicant(user, case):
        return None
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
    if not allowed or profile is None:
        raise NotAllowed(f"您无权对办件 {case.number} 执行“{ACTION_LABELS.get(action, action)}”",
                         code="case.not_allowed")
    return profile


def signed_in(user: Actor) -> User:
    """The actor as the `User` a case row records (收件人, 补正/延期申请人); `NotAllowed` if anonymous.

    An action calls it after its own checks, which refuse an anonymous actor already."""
    if not user.is_authenticated:
        raise NotAllowed("请先登录", code="case.not_allowed")
    return user
