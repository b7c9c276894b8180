"""好差评 pages: rate a case; rate through the one-time link (no login); the rectification queue; a
rectification with the steps this user may take.

Thin: each POST calls one action and reports the result with a Django message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tongban.audit.actions import entries_for
from tongban.audit.masking import mask_text
from tongban.cases.actions import can_view
from tongban.cases.models import Case
from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.core.typing import AnyRequest, AuthedRequest
from tongban.ratings import actions, invite
from tongban.ratings.forms import STEP_FORMS, LinkRatingForm, RatingForm, StepForm
from tongban.ratings.models import Rating, Rectification, Target

ACTION_LABELS = {"rating.rate": "评价", "rating.invite": "发送评价邀请", "rectification.open": "差评转整改", **{
    f"rectification.{step}": label for step, label in actions.STEP_LABELS.items()}}


@login_required
def rate(request: AuthedRequest, number: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related(
        "item", "receiving_region", "receiving_centre", "receiving_channel", "competent_department"), number=number)
    if not can_view(request.user, case):
        raise Http404("办件不存在或无权查看")
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rating = actions.do_rate(request.user, case, **form.cleaned_data)
            except TongbanError as exc:
                messages.error(request, str(exc))
                status = exc.status
            else:
                text = f"感谢您的评价：{rating.get_level_display()}。"
                if rating.is_bad:
                    text += "我们将核实并整改，整改结果会反馈给您。"
                messages.success(request, text)
                return redirect("ratings:rate", number=case.number)
        else:
            status = 422
    ratings = sorted(Rating.objects.filter(case=case).select_related("channel", "officer", "rated_by"),
                     key=lambda r: r.target != Target.WINDOW)  # the window's first
    problem = None
    if not ratings:
        try:
            actions.check_rate(request.user, case)
        except TongbanError as exc:
            problem = str(exc)
    return render(request, "ratings/rate.html", {
        "case": case, "form": form, "problem": problem,
        "rated": [{"rating": r, "rect": Rectification.objects.filter(rating=r).first(),
                   "comment": mask_text(r.comment)} for r in ratings],
        "officer": actions.rated_officer(case) if not ratings and problem is None else None,
    }, status=status)


def rate_by_link(request: AnyRequest, token: str) -> HttpResponse:
    """/rate/<token>/: the applicant rates the window's and the department's service through the link sent
    by SMS at delivery (no login; the token is the key). Unknown token: 404; a used link says so."""
    try:
        invitation = invite.check_invitation(token)
    except TongbanError:
        raise Http404("评价链接无效") from None
    case = invitation.case
    form = LinkRatingForm(request.POST or None)
    status = 200
    used = invitation.used_at is not None
    if request.method == "POST":
        if form.is_valid():
            try:
                invite.do_rate_by_link(invitation, **form.inputs())
            except TongbanError as exc:
                form.add_error(None, str(exc))
                status = exc.status
                used = used or exc.code in ("rating.link_used", "rating.already_rated")
            else:
                ratings = list(Rating.objects.filter(case=case).order_by("-target"))
                return render(request, "ratings/rate_link_done.html", {
                    "case": case, "ratings": ratings, "any_bad": any(r.is_bad for r in ratings)})
        else:
            status = 422
    return render(request, "ratings/rate_link.html", {
        "case": case, "form": form, "used": used,
        "window_name": _window_name(case), "department_name": case.competent_department.name,
    }, status=status)


def _window_name(case: Case) -> str:
    if case.receiving_channel is not None:
        return case.receiving_channel.name
    if case.receiving_centre is not None:
        return case.receiving_centre.name
    return "网上办理"


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    qs = actions.visible_rectifications(request.user)
    state = request.GET.get("state", "")
    if state in Rectification.State.values:
        qs = qs.filter(state=state)
    overdue_only = request.GET.get("overdue") == "1"
    on = clock.today()
    if overdue_only:
        qs = qs.overdue(on)
    page = Paginator(qs.order_by("closed_at", "due_on", "opened_at", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "ratings/queue.html", {
        "page": page, "rects": [(r, r.is_overdue(on)) for r in page], "states": Rectification.State.choices,
        "state": state, "overdue_only": overdue_only, "today": on,
    })


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
def step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("未知操作")
    rect = _visible(request, pk)
    form = STEP_FORMS[step](request.POST, prefix=step)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容")
        return _detail(request, rect, bound=(step, form), status=422)
    try:
        actions.do_step(request.user, rect, step, expected_version=form.cleaned_data["expected_version"],
                        **form.params())
    except TongbanError as exc:
        messages.error(request, str(exc))
        if exc.status == 422:
            return _detail(request, rect, bound=(step, form), status=422)
    else:
        messages.success(request, f"已{actions.STEP_LABELS[step]}")
    return redirect("ratings:detail", pk=rect.pk)


def _visible(request: AuthedRequest, pk: int) -> Rectification:
    rect = actions.visible_rectifications(request.user).filter(pk=pk).first()
    if rect is None:
        raise Http404("整改不存在或无权查看")
    return rect


def _detail(request: AuthedRequest, rect: Rectification, bound: tuple[str, StepForm] | None = None,
            status: int = 200) -> HttpResponse:
    forms = []
    for name in actions.allowed_steps(request.user, rect):
        if bound and bound[0] == name:
            form = bound[1]
        else:
            form = STEP_FORMS[name](prefix=name, initial={"expected_version": rect.version})
        forms.append((name, actions.STEP_LABELS[name], form))
    case = rect.rating.case
    history = entries_for(f"case:{case.number}").filter(
        Q(action__startswith="rating.") | Q(action__startswith="rectification."))
    return render(request, "ratings/detail.html", {
        "rect": rect, "rating": rect.rating, "case": case, "forms": forms,
        "comment": mask_text(rect.rating.comment), "overdue": rect.is_overdue(clock.today()),
        "history": [(e, ACTION_LABELS.get(e.action, e.action)) for e in history],
    }, status=status)
