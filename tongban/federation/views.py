"""The node-to-node endpoint. Peers authenticate by signature, not by session, hence csrf_exempt."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tongban.accounts.models import Role, profile_of
from tongban.federation import keys, reconcile, trust
from tongban.federation.envelope import Refused
from tongban.federation.inbox import do_receive_message
from tongban.federation.models import InboxMessage, RefusedMessage
from tongban.federation.status import peer_statuses


def _json(request: HttpRequest):
    return json.loads(request.body.decode("utf-8"))


@csrf_exempt
@require_POST
def inbox(request: HttpRequest) -> JsonResponse:
    try:
        raw = _json(request)
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "refused", "detail": "消息不是 UTF-8 JSON"}, status=400)
    try:
        receipt = do_receive_message(raw, remote_addr=request.META.get("REMOTE_ADDR", ""))
    except Refused as exc:
        return JsonResponse({"error": exc.extra.get("error", "refused"), "detail": exc.reason, **exc.extra},
                            status=exc.status)
    return JsonResponse({"receipt": receipt})


@csrf_exempt
@require_POST
def reconcile_answer(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(reconcile.answer(_json(request)))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "refused", "detail": "请求不是 UTF-8 JSON"}, status=400)
    except Refused as exc:
        return JsonResponse({"error": "refused", "detail": exc.reason}, status=exc.status)


@require_GET
def node_info(request: HttpRequest) -> JsonResponse:
    """Who this node is: its id, its public key and the regions it serves (also a health check)."""
    node = trust.this_node()
    return JsonResponse({"id": node.id, "name": node.name, "public_key": keys.public_key_text(),
                         "regions": list(node.regions), "peers": sorted(trust.peers())},
                        json_dumps_params={"ensure_ascii": False})


@login_required
def status_page(request: HttpRequest) -> HttpResponse:
    """The exchange as administrators see it (交换状态)."""
    profile = profile_of(request.user)
    if not (request.user.is_superuser or (profile and profile.role == Role.ADMIN)):
        raise PermissionDenied("只有管理员可以查看节点互联状态")
    return render(request, "federation/status.html", {
        "node": trust.this_node(), "peers": peer_statuses(),
        "rejected": InboxMessage.objects.filter(status=InboxMessage.Status.REJECTED).order_by("-received_at")[:20],
        "refused": RefusedMessage.objects.all()[:20],
    })
