"""The node-to-node endpoint. Peers authenticate by signature, not by session, hence csrf_exempt."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tongban.accounts.models import Role, profile_of
from tongban.catalog.models import Region
from tongban.core import blobs, clock
from tongban.core.typing import AuthedRequest
from tongban.federation import delegations as delegation_actions
from tongban.federation import keys, reconcile, routing, trust
from tongban.federation.envelope import Refused
from tongban.federation.forms import DelegationForm, RevokeDelegationForm
from tongban.federation.inbox import do_receive_message
from tongban.federation.models import Delegation, InboxMessage, RefusedMessage
from tongban.federation.status import peer_statuses


# A message may carry one file of a case (blob.put, base64): up to TONGBAN_UPLOAD_MAX_BYTES × 4/3 plus the envelope.
def max_body() -> int:
    return max(16 * 1024 * 1024, blobs.max_bytes() * 4 // 3 + 1024 * 1024)


def _json(request: HttpRequest):
    """The JSON body, read directly (Django's DATA_UPLOAD_MAX_MEMORY_SIZE of 2.5 MB is for forms, too small for a
    file); more than `max_body()` bytes is refused as malformed."""
    limit = max_body()
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise ValueError("body too large")
    return json.loads(raw.decode("utf-8"))


@csrf_exempt
@require_POST
def inbox(request: HttpRequest) -> JsonResponse:
    try:
        raw = _json(request)
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "refused", "detail": "消息不是 UTF-8 JSON", "code": "federation.malformed"},
                            status=400)
    try:
        receipt = do_receive_message(raw, remote_addr=request.META.get("REMOTE_ADDR", ""))
    except Refused as exc:
        return JsonResponse({"error": exc.extra.get("error", "refused"), "detail": exc.reason, "code": exc.code,
                             **exc.extra}, status=exc.status)
    return JsonResponse({"receipt": receipt})


@csrf_exempt
@require_POST
def reconcile_answer(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(reconcile.answer(_json(request)))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "refused", "detail": "请求不是 UTF-8 JSON", "code": "federation.malformed"},
                            status=400)
    except Refused as exc:
        return JsonResponse({"error": "refused", "detail": exc.reason, "code": exc.code}, status=exc.status)


@require_GET
def node_info(request: HttpRequest) -> JsonResponse:
    """Who this node is: its id, its public key and the regions it serves (also a health check)."""
    node = trust.this_node()
    return JsonResponse({"id": node.id, "name": node.name, "public_key": keys.public_key_text(),
                         "regions": list(node.regions), "peers": sorted(trust.peers())},
                        json_dumps_params={"ensure_ascii": False})


@login_required
def status_page(request: AuthedRequest) -> HttpResponse:
    """The exchange as administrators see it (交换状态)."""
    profile = profile_of(request.user)
    if not (request.user.is_superuser or (profile and profile.role == Role.ADMIN)):
        raise PermissionDenied("只有管理员可以查看节点互联状态")
    return render(request, "federation/status.html", {
        "node": trust.this_node(), "peers": peer_statuses(),
        "rejected": InboxMessage.objects.filter(status=InboxMessage.Status.REJECTED).order_by("-received_at")[:20],
        "refused": RefusedMessage.objects.all()[:20],
    })


def _issuing_region(request: AuthedRequest) -> Region | None:
    """The region an administrator may delegate from on this node, or None."""
    profile = profile_of(request.user)
    if not (profile and profile.role == Role.ADMIN):
        return None
    region = profile.region.parent if profile.region.parent is not None else profile.region
    return region if routing.node_of(region) == keys.node_id() else None


@login_required
def delegations(request: AuthedRequest) -> HttpResponse:
    """审批交叉授权: staff see the delegations; an administrator issues and revokes their region's."""
    if profile_of(request.user) is None and not request.user.is_superuser:
        raise PermissionDenied("只有工作人员可以查看审批委托")
    region = _issuing_region(request)
    form = DelegationForm(request.POST or None, region=region) if region else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            issued = delegation_actions.do_issue_delegation(
                request.user, department=form.cleaned_data["department"],
                item_codes=[i.code for i in form.cleaned_data["items"]],
                valid_from=form.cleaned_data["valid_from"], valid_until=form.cleaned_data["valid_until"])
        except delegation_actions.DelegationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已签发审批委托 {issued.delegation_id}。")
            return redirect("federation:delegations")
    listed = Delegation.objects.select_related("delegating_region", "department")
    return render(request, "federation/delegations.html", {
        "node": trust.this_node(), "region": region, "form": form, "delegations": listed,
        "revocable": {d.pk for d in listed if region and d.delegating_region_id == region.pk
                      and d.issuer == keys.node_id()},
        "today": clock.today(),
    })


@require_POST
@login_required
def revoke_delegation(request: AuthedRequest, pk: int) -> HttpResponse:
    delegation = get_object_or_404(Delegation, pk=pk)
    form = RevokeDelegationForm(request.POST)
    try:
        delegation_actions.do_revoke_delegation(request.user, delegation,
                                                reason=form.data.get("reason", "") if form.is_valid() else "")
    except delegation_actions.DelegationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"审批委托 {delegation.delegation_id} 已撤销。")
    return redirect("federation:delegations")
