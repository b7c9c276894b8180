"""审批交叉授权: signed delegations from one region to a department of another.

A region's administrator issues a delegation on the region's node: the other region's department may
accept and decide the named items, from one date to another, until revoked. The delegating node signs
it and sends it to the delegate's node; a case received "under delegation" names it, is accepted and
decided by the delegate department on its own node, and travels to the delegating node, which checks
the delegation again (its own record: signature, items, department, dates, revocation) before it takes
the case in (`check_delegated_case`). Locks: none beyond the writes' own transactions.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Role, profile_of
from tongban.audit.actions import do_append
from tongban.catalog.models import Competence, Department, Item, Region
from tongban.core import clock
from tongban.core.errors import Invalid
from tongban.core.typing import Actor
from tongban.federation import keys, routing, trust
from tongban.federation.models import Delegation
from tongban.federation.outbox import enqueue

MAX_DAYS = 3 * 366  # a delegation is for a period, not forever


class DelegationError(Invalid):
    """A delegation refused or not valid for this use; the message is for the user, the code says what."""

    code = "delegation.invalid"


def _root(region: Region) -> Region:
    return region.parent if region.parent is not None else region


def payload_of(delegation_id: str, issuer: str, region: Region, department: Department, item_codes: list[str],
               valid_from: datetime.date, valid_until: datetime.date, issued_at: datetime.datetime) -> dict:
    return {"delegation_id": delegation_id, "issuer": issuer, "delegating_region": region.code,
            "department": {"region": department.region.code, "name": department.name}, "items": sorted(item_codes),
            "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat(),
            "issued_at": issued_at.isoformat()}


def do_issue_delegation(user: Actor, *, department: Department, item_codes: list[str], valid_from: datetime.date,
                        valid_until: datetime.date) -> Delegation:
    """An administrator of a region delegates items of that region to another region's department."""
    profile = profile_of(user)
    if not (profile and profile.role == Role.ADMIN):
        raise DelegationError("只有地区管理员可以签发审批委托", code="delegation.not_admin")
    region = _root(profile.region)
    if _root(department.region) == region:
        raise DelegationError("审批委托只能授予另一地区的部门", code="delegation.same_region")
    if routing.node_of(region) != keys.node_id():
        raise DelegationError(f"{region.name}的委托须在其本地节点签发", code="delegation.wrong_node")
    codes = sorted(set(item_codes))
    if not codes:
        raise DelegationError("请至少选择一个委托事项", code="delegation.no_items")
    known = set(Competence.objects.filter(region=region, item__code__in=codes).values_list("item__code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DelegationError(f"这些事项不是{region.name}的事项：{'、'.join(unknown[:5])}",
                              code="delegation.unknown_items")
    if not valid_from <= valid_until or (valid_until - valid_from).days > MAX_DAYS:
        raise DelegationError("有效期须为起止日期，且不超过三年", code="delegation.bad_period")
    issued_at = clock.now().replace(microsecond=0)
    delegation_id = f"{keys.node_id()}:{uuid.uuid4().hex}"
    payload = payload_of(delegation_id, keys.node_id(), region, department, codes, valid_from, valid_until, issued_at)
    with transaction.atomic():
        delegation = Delegation.objects.create(
            delegation_id=delegation_id, issuer=keys.node_id(), delegating_region=region, department=department,
            item_codes=codes, valid_from=valid_from, valid_until=valid_until, issued_at=issued_at,
            issued_by=user.get_username(), payload=payload, signature=keys.sign(keys.canonical(payload)))
        _send(delegation, "delegation.issue", {"payload": payload, "signature": delegation.signature,
                                               "issued_by": delegation.issued_by})
        do_append(at=issued_at, actor=user.get_username(), action="delegation.issue",
                  subject=f"delegation:{delegation_id}", data={"department": department.name, "items": codes,
                                                               "from": payload["valid_from"],
                                                               "until": payload["valid_until"]})
    return delegation


def do_revoke_delegation(user: Actor, delegation: Delegation, *, reason: str) -> Delegation:
    profile = profile_of(user)
    if not (profile and profile.role == Role.ADMIN and _root(profile.region) == delegation.delegating_region):
        raise DelegationError("只有委托地区的管理员可以撤销委托", code="delegation.not_admin")
    if delegation.issuer != keys.node_id():
        raise DelegationError("委托只能在签发它的节点上撤销", code="delegation.wrong_node")
    if not reason.strip():
        raise DelegationError("请填写撤销理由", code="delegation.reason_required")
    at = clock.now()
    with transaction.atomic():
        if not Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
                revoked_at=at, revocation_reason=reason.strip()[:200]):
            raise DelegationError("该委托已撤销", code="delegation.already_revoked")
        _send(delegation, "delegation.revoke", {"delegation_id": delegation.delegation_id,
                                                "revoked_at": at.isoformat(), "reason": reason.strip()[:200]})
        do_append(at=at, actor=user.get_username(), action="delegation.revoke",
                  subject=f"delegation:{delegation.delegation_id}", data={"reason": reason})
    delegation.refresh_from_db()
    return delegation


def _send(delegation: Delegation, kind: str, body: dict) -> None:
    node_id = routing.node_of(delegation.department.region)
    if trust.federated() and node_id != keys.node_id():
        enqueue(node_id, kind, body)


def check_valid(delegation_id: str, *, item: Item, department: Department | None, on: datetime.date,
                delegating_region: str | None = None, as_of_then: bool = False) -> Delegation:
    """The delegation, if it lets `department` act on `item` on `on`; else DelegationError saying why.

    A revocation stops every action from the moment it is made; `as_of_then` (checking an action taken
    on `on`, at the delegating node) counts it only if it was made on or before that day.
    """
    delegation = Delegation.objects.select_related("department__region", "delegating_region").filter(
        delegation_id=delegation_id).first()
    if delegation is None:
        raise DelegationError(f"本节点没有编号为 {delegation_id} 的审批委托",
                              code="delegation.unknown")
    try:
        trust.verify(delegation.issuer, keys.canonical(delegation.payload), delegation.signature)
    except trust.TrustError as exc:
        raise DelegationError(f"审批委托的签名无效：{exc}", code="delegation.bad_signature") from None
    if delegating_region and delegation.delegating_region.code != delegating_region:
        raise DelegationError("该委托不是审批地区签发的", code="delegation.wrong_region")
    if delegation.revoked_at and (not as_of_then or timezone.localdate(delegation.revoked_at) <= on):
        raise DelegationError(f"审批委托已于 {timezone.localdate(delegation.revoked_at):%Y-%m-%d} 撤销："
                              f"{delegation.revocation_reason}", code="delegation.revoked")
    if not delegation.valid_from <= on <= delegation.valid_until:
        raise DelegationError(f"审批委托的有效期为 {delegation.valid_from} 至 {delegation.valid_until}，{on} 不在其内",
                              code="delegation.out_of_period")
    if item.code not in delegation.item_codes:
        raise DelegationError(f"审批委托不包括事项“{item.name}”", code="delegation.item_not_covered")
    if department is not None and department.pk != delegation.department_id:
        raise DelegationError(f"审批委托授予的是{delegation.department.name}", code="delegation.wrong_department")
    return delegation


def usable(item: Item, on: datetime.date) -> list[Delegation]:
    """Delegations a window may receive `item` under today (valid, not revoked)."""
    return [d for d in Delegation.objects.select_related("department", "delegating_region").filter(
        revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on) if item.code in d.item_codes]


# ---- at the receiving end of the exchange ---------------------------------------------------------

def apply_issue(sender: str, body: dict) -> None:
    """A peer's `delegation.issue`: verified against the peer's key before it is kept. Raises DelegationError."""
    try:
        payload, signature = body["payload"], str(body["signature"])
        region = Region.objects.get(code=payload["delegating_region"])
        department = Department.objects.get(region__code=payload["department"]["region"],
                                            name=payload["department"]["name"])
        valid_from = datetime.date.fromisoformat(payload["valid_from"])
        valid_until = datetime.date.fromisoformat(payload["valid_until"])
        issued_at = datetime.datetime.fromisoformat(payload["issued_at"])
    except (KeyError, TypeError, ValueError, Region.DoesNotExist, Department.DoesNotExist) as exc:
        raise DelegationError(f"委托内容无法识别：{exc}", code="delegation.malformed") from None
    if payload.get("issuer") != sender or routing.node_of(region) != sender:
        raise DelegationError(f"节点 {sender} 不能以{region.name}的名义签发委托", code="delegation.wrong_issuer")
    try:
        trust.verify(sender, keys.canonical(payload), signature)
    except trust.TrustError as exc:
        raise DelegationError(str(exc), code="delegation.bad_signature") from None
    Delegation.objects.get_or_create(delegation_id=payload["delegation_id"], defaults=dict(
        issuer=sender, delegating_region=region, department=department, item_codes=list(payload["items"]),
        valid_from=valid_from, valid_until=valid_until, issued_at=issued_at,
        issued_by=f"{sender}/{body.get('issued_by', '')}", payload=payload, signature=signature))


def apply_revoke(sender: str, body: dict) -> None:
    delegation = Delegation.objects.filter(delegation_id=body.get("delegation_id")).first()
    if delegation is None or delegation.issuer != sender:
        raise DelegationError(f"节点 {sender} 没有签发编号为 {body.get('delegation_id')} 的委托",
                              code="delegation.unknown")
    try:
        at = datetime.datetime.fromisoformat(body["revoked_at"])
    except (KeyError, TypeError, ValueError):
        raise DelegationError("撤销时间格式错误", code="delegation.malformed") from None
    Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=at, revocation_reason=str(body.get("reason", ""))[:200])


def check_delegated_case(data: dict) -> None:
    """At the delegating node: a case decided elsewhere under our delegation must cite a valid one."""
    delegation = Delegation.objects.filter(delegation_id=data["delegation"]).first()
    if delegation is None or delegation.issuer != keys.node_id():
        raise DelegationError(f"办件所引的委托 {data['delegation']} 不是本节点签发的",
                              code="delegation.not_issued_here")
    item = Item.objects.get(code=data["item"])
    department = Department.objects.get(region__code=data["competent_region"], name=data["competent_department"])
    for field in ("accepted_on", "decided_on"):
        if data.get(field):
            check_valid(delegation.delegation_id, item=item, department=department,
                        on=datetime.date.fromisoformat(data[field]), as_of_then=True)
