"""Verify pages (public, no login), the revocation button, the status JSON and the file download.

Thin: each view reads one thing and calls one action. The verify pages show only what the signed
payload holds, which is masked at issue.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.cases import actions as case_actions
from tongban.cases.models import Case
from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.core.typing import AnyRequest, AuthedRequest
from tongban.federation import keys, trust
from tongban.verification import actions
from tongban.verification.forms import CheckForm, RevokeForm
from tongban.verification.models import ResultDocument
from tongban.verification.payload import MalformedFile, parse_file


def _doc(doc_id: str) -> ResultDocument | None:
    return ResultDocument.objects.select_related("case__competent_region").filter(doc_id=doc_id).first()


def page(request: AnyRequest, doc_id: str) -> HttpResponse:
    """/verify/<doc_id>/ — where the QR code leads: the document as issued here, checked again."""
    doc = _doc(doc_id)
    if doc is None:
        return render(request, "verification/unknown.html", {"doc_id": doc_id, "elsewhere": _elsewhere(doc_id)},
                      status=404)
    return render(request, "verification/result.html", {
        "result": actions.verify_document(actions.as_file(doc)), "doc": doc,
        "revoke_form": RevokeForm() if actions.can_revoke(request.user, doc) and not doc.revoked_at else None,
    })


def check(request: AnyRequest) -> HttpResponse:
    """/verify/ — upload or paste a document file."""
    form = CheckForm(request.POST, request.FILES) if request.method == "POST" else CheckForm()
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = actions.verify_document(parse_file(form.raw()))
        except MalformedFile as exc:
            result = actions.VerifyResult(actions.Status.MALFORMED, reasons=[str(exc)])
    return render(request, "verification/check.html", {"form": form, "result": result})


def status(request: AnyRequest, doc_id: str) -> JsonResponse:
    """Revocation status of a document issued here, signed by this node (for other nodes to fetch)."""
    doc = _doc(doc_id)
    if doc is None:
        return JsonResponse({"detail": f"本节点没有签发编号为 {doc_id} 的文书"}, status=404)
    body = {"doc_id": doc.doc_id, "state": "revoked" if doc.revoked_at else "valid",
            "revoked_at": doc.revoked_at.isoformat() if doc.revoked_at else None,
            "reason": doc.revocation_reason, "checked_at": clock.now().isoformat(timespec="seconds")}
    return JsonResponse({"format": "tongban-result-status/1", "issuer": keys.node_id(), "status": body,
                         "signature": keys.sign(keys.canonical(body))}, json_dumps_params={"ensure_ascii": False})


@require_POST
def revoke(request: AnyRequest, doc_id: str) -> HttpResponse:
    doc = _doc(doc_id)
    if doc is None:
        raise Http404("未找到该文书")
    if not actions.can_revoke(request.user, doc):
        return HttpResponseForbidden("您无权吊销该文书：只有审批地区的管理员可以吊销。")
    form = RevokeForm(request.POST)
    try:
        actions.do_revoke(request.user, doc, form.data.get("reason", ""))
    except TongbanError as exc:  # shown on the document's page, where the administrator acted
        messages.error(request, exc.message)
    else:
        messages.success(request, f"文书 {doc.doc_id} 已吊销。")
    return redirect("verification:page", doc_id=doc.doc_id)


@login_required
def download(request: AuthedRequest, number: str) -> HttpResponse:
    """/cases/<number>/result.json — the signed file, for whoever may view the case."""
    case = get_object_or_404(Case.objects.select_related("item", "competent_department", "competent_region",
                                                         "receiving_region"), number=number)
    if not case_actions.can_view(request.user, case):
        raise Http404("未找到该办件")
    if not (case.decided_on and case.outcome):
        return HttpResponse(f"办件 {number} 尚未办结，没有结果文书。", status=404,
                            content_type="text/plain; charset=utf-8")
    try:
        doc = actions.do_issue_result(case)
    except actions.NotIssuedHere as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    # sorted keys: the same bytes every time, whatever key order the database gives the payload back in
    body = json.dumps(actions.as_file(doc), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{number}-result.json"'
    return response


def _elsewhere(doc_id: str) -> dict | None:
    """For an id like "langfang:…": the trusted node that issued it, if it is another one with a URL."""
    node_id = doc_id.partition(":")[0]
    if not node_id or node_id == keys.node_id():
        return None
    try:
        node = trust.node(node_id)
    except trust.TrustError:
        return None
    if not node.url:
        return None
    return {"name": node.name, "url": f"{node.url}{reverse('verification:page', args=[doc_id])}"}
