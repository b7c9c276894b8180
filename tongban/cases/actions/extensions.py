"""延期: the competent department's approver asks for more working days; an administrator of the competent
region approves or rejects (负责人批准). At most `MAX_EXTENSION_DAYS` in total, pending requests included."""

from __future__ import annotations

from django.db import transaction

from tongban.accounts.models import profile_of
from tongban.audit.actions import do_append
from tongban.cases.actions.access import check_actor, is_admin_of, signed_in
from tongban.cases.actions.common import CLOCK_RUNNING, MAX_EXTENSION_DAYS, check_holder, replicate_related
from tongban.cases.models import Case, Extension
from tongban.cases.ports import federation
from tongban.core import clock
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed
from tongban.core.typing import Actor


def check_extension_request(user: Actor, case: Case, *, days: int, reason: str) -> None:
    check_actor(user, case, "suspend")  # the competent department's approver
    if case.state not in CLOCK_RUNNING:
        raise BadTransition("只有计时中的办件可以申请延期", code="case.clock_not_running")
    # pending requests count too: two pending requests of 10 days must not both be possible
    asked = sum(e.days for e in case.extensions.exclude(status=Extension.Status.REJECTED))
    if asked >= MAX_EXTENSION_DAYS:
        raise Invalid(f"本办件已用满 {MAX_EXTENSION_DAYS} 个工作日的延期", code="case.extension_used_up")
    if not 1 <= days <= MAX_EXTENSION_DAYS - asked:
        raise Invalid(f"延期须为 1–{MAX_EXTENSION_DAYS - asked} 个工作日（合计不超过 {MAX_EXTENSION_DAYS} 个）",
                      code="case.extension_days_invalid")
    if not reason.strip():
        raise Invalid("延期须写明理由", code="case.extension_reason_required")
    check_holder(case)


def do_request_extension(user: Actor, case: Case, *, days: int, reason: str) -> Extension:
    """Record a pending extension request. Locks: none (the total is checked again on approval)."""
    check_extension_request(user, case, days=days, reason=reason)
    with transaction.atomic():
        extension = Extension.objects.create(case=case, days=days, reason=reason.strip()[:200],
                                             requested_by=signed_in(user), requested_at=clock.now())
        replicate_related(case)
        do_append(at=clock.now(), actor=user.get_username(), action="case.request_extension",
                  subject=f"case:{case.number}", data={"days": days, "reason": reason})
    return extension


def check_extension_decision(user: Actor, case: Case, extension: Extension, *, approve: bool) -> None:
    if not is_admin_of(profile_of(user), case.competent_region):
        raise NotAllowed("只有审批地区的管理员可以批准延期", code="case.not_allowed")
    if extension.status != Extension.Status.PENDING:
        raise Conflict("该延期申请已被处理", code="case.extension_already_decided")
    if approve and case.state not in CLOCK_RUNNING:
        # approving after the decision would rewrite a late case as on time
        raise BadTransition(f"办件 {case.number} 当前状态为“{case.get_state_display()}”，不能再批准延期（可驳回）",
                            code="case.clock_not_running")
    if approve and case.extension_days + extension.days > MAX_EXTENSION_DAYS:
        raise Invalid(f"批准后延期合计将超过 {MAX_EXTENSION_DAYS} 个工作日（已批准 {case.extension_days} 个）",
                      code="case.extension_cap_exceeded")
    check_holder(case)


def do_decide_extension(user: Actor, extension: Extension, *, approve: bool) -> Extension:
    """An administrator of the competent region approves or rejects (负责人批准). Locks: the case by CAS."""
    case = Case.objects.select_related("competent_region").get(pk=extension.case_id)
    check_extension_decision(user, case, extension, approve=approve)
    with transaction.atomic():
        if not Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
                status=Extension.Status.APPROVED if approve else Extension.Status.REJECTED, decided_by=user):
            raise Conflict("该延期申请已被处理", code="case.extension_already_decided")
        if approve:
            _add_days(case, extension.days)
        else:
            replicate_related(case)
        do_append(at=clock.now(), actor=user.get_username(),
                  action="case.extension_" + ("approved" if approve else "rejected"),
                  subject=f"case:{case.number}", data={"days": extension.days})
    extension.refresh_from_db()
    return extension


def _add_days(case: Case, days: int) -> None:
    # The cap and the state are checked again by the conditional UPDATE: a case that changed meanwhile
    # (another approval, a decision) makes this one fail and roll back.
    if not Case.objects.filter(pk=case.pk, version=case.version, state__in=CLOCK_RUNNING).update(
            extension_days=case.extension_days + days, version=case.version + 1):
        raise Conflict(f"办件 {case.number} 已更新，请刷新后再批准", code="case.conflict")
    federation().replicate(Case.objects.get(pk=case.pk))
