"""Hotline pages: operator intake with suggestions, the complaint list / unit inbox, the complaint page with
its actions, the street whistle board, the 三率 ranking, the hot-issue board and the public web form.

Thin: each POST calls one action in hotline.actions; who may see and do what is decided there.
"""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tongban.accounts.models import citizen_of
from tongban.catalog.models import Region
from tongban.core import clock, ratelimit
from tongban.core.errors import Invalid, TongbanError
from tongban.core.identity import PHONE_RE, mask_phone
from tongban.core.typing import AnyRequest, AuthedRequest
from tongban.hotline import actions, dispatch, hot, rates
from tongban.hotline.forms import CallbackForm, DispatchForm, IntakeForm, MonthForm, NoteForm
from tongban.hotline.models import OPEN_STATES, Category, Complaint, HotlineRole, State, Unit, WhistleTask

Role = HotlineRole.Role


def _role(request: AuthedRequest, *roles: str) -> HotlineRole:
    role = actions.role_of(request.user)
    if role is None or (roles and role.role not in roles):
        raise PermissionDenied("此页面仅供接诉即办工作人员使用。")
    return role


def _fail(request: HttpRequest, exc: TongbanError) -> None:
    messages.error(request, str(exc))


# ---- operator intake -----------------------------------------------------------------------------

@login_required
def intake(request: AuthedRequest) -> HttpResponse:
    """话务员登记并派单: the form, live suggestions (htmx), and one POST that registers and dispatches."""
    role = _role(request, Role.OPERATOR)
    form = IntakeForm(request.POST or None, region=role.region)
    dispatch_form = DispatchForm(request.POST or None, region=role.region)
    wants_dispatch = bool(request.POST.get("dispatch"))
    if request.method == "POST" and form.is_valid() and (not wants_dispatch or dispatch_form.is_valid()):
        earlier = actions.registered(form.cleaned_data["intake_key"])
        if earlier is not None:  # the same form sent twice (double click, refresh): nothing new
            messages.info(request, f"该来电已登记为 {earlier.number}，未重复登记。")
            return redirect("hotline:detail", earlier.number)
        category_id = actions.as_id(request.POST.get("category"))
        chosen = Category.objects.filter(pk=category_id, active=True).first() if category_id is not None else None
        intake = actions.Intake(region=role.region, category=chosen, **form.cleaned_data)
        try:
            complaint = actions.do_register(request.user, intake)
        except TongbanError as exc:
            _fail(request, exc)
        else:
            if wants_dispatch:
                data = dispatch_form.cleaned_data
                try:
                    actions.do_dispatch(request.user, complaint, data["category"], data["unit"],
                                        suggestions=data["suggestions"] or [], model_version=data["model_version"])
                    messages.success(request, f"已登记并派单：{complaint.number}")
                except TongbanError as exc:
                    messages.error(request, f"已登记 {complaint.number}，但派单未成功：{exc}")
            else:
                messages.success(request, f"已登记：{complaint.number}（待派单）")
            return redirect("hotline:detail", complaint.number)
    elif request.method == "POST" and wants_dispatch and not dispatch_form.is_valid():
        messages.error(request, "请选择诉求分类后再派单（或点“仅登记”）。")
    return render(request, "hotline/intake.html", {
        "form": form, "dispatch_form": dispatch_form, "role": role,
        **_suggestions(role.region, request.POST.get("text") or "", request.POST.get("address") or "",
                       request.POST.get("category")),
        "queue": Complaint.objects.filter(region=role.region, state=State.REGISTERED).order_by("dispatch_due")[:20],
    })


def _suggestions(region: Region, text: str, address: str = "", chosen=None) -> dict:
    """The fragment's context. `chosen` (the category the operator already ticked) stays ticked when the
    suggestions are redrawn as they type on."""
    text = (text or "")[: actions.MAX_TEXT]
    version, suggestions = dispatch.suggest(text, region)
    chosen = actions.as_id(chosen)
    if chosen is None and suggestions and suggestions[0].category_id:
        chosen = suggestions[0].category_id
    return {
        "suggestions": suggestions, "version": version, "text": text.strip(), "chosen": chosen,
        "suggested_ids": {s.category_id for s in suggestions if s.category_id},
        "duplicates": hot.likely_duplicates(text, region, place=address or ""),
        "suggestions_json": json.dumps([s.as_dict() for s in suggestions], ensure_ascii=False),
        "categories": Category.objects.filter(active=True),
    }


@login_required
@require_POST
def suggest(request: AuthedRequest) -> HttpResponse:
    """The top three categories (with their units) and likely duplicates, as a fragment for the form."""
    role = _role(request, Role.OPERATOR)
    return render(request, "hotline/_suggestions.html",
                  _suggestions(role.region, request.POST.get("text") or "", request.POST.get("address") or "",
                               request.POST.get("category")))


# 我要反映 without a real-name login: new complaints per client address (REMOTE_ADDR; behind a reverse proxy
# the proxy must pass the real address, docs/tracking.md), so a script cannot flood the dispatch queue.
WEB_REPORTS = ratelimit.Limit("hotline.web_reports", 5, 600)



def report(request: AnyRequest) -> HttpResponse:
    """我要反映: the public web form (no login). The complaint goes to the operators' dispatch queue. A
    logged-in resident finds their name and mobile filled in, and the complaint is linked to their account
    (`Complaint.reporter`, set by the action); the caller is texted only then, at their verified mobile
    (`actions.may_text`). Without a real-name login, at most `WEB_REPORTS` new complaints per client
    address (then 429, `ratelimit.exceeded`); a resubmitted form is not counted."""
    regions = Region.objects.filter(hotline_units__isnull=False).distinct()
    region = regions.filter(code=request.POST.get("region") or request.GET.get("region")).first() or regions.first()
    if region is None:
        raise Http404("本节点未开通接诉即办")
    wanted = (request.GET.get("text") or "").strip()[:100]  # from a catalogue search that found nothing good
    initial = ({"text": f"我想办理：{wanted}。在事项搜索中没有找到对应的事项，请告诉我应该办哪一项、去哪里办。"}
               if wanted else {})
    citizen = citizen_of(request.user)  # a logged-in resident: their real name and confirmed mobile
    if citizen is not None:
        initial |= {"caller_name": citizen.name, "caller_phone": citizen.phone}
    form = IntakeForm(request.POST or None, region=region, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        # a resubmitted form (refresh, double click) returns the complaint it already made, and is not counted
        limits = ([] if citizen is not None or actions.registered(form.cleaned_data["intake_key"])
                  else [(WEB_REPORTS, ratelimit.client_address(request))])
        try:
            ratelimit.check(limits, "提交过于频繁，请稍后再试或拨打12345热线反映。")
            complaint = actions.do_register(request.user, actions.Intake(region=region, channel="web",
                                                                         **form.cleaned_data))
        except TongbanError as exc:
            _fail(request, exc)
            if isinstance(exc, ratelimit.Limited):
                status = exc.status
        else:
            ratelimit.hit(limits)
            return render(request, "hotline/report_done.html", {
                "complaint": complaint, "mobile": bool(PHONE_RE.fullmatch(complaint.caller_phone)),
                "texted": actions.may_text(complaint)})
    return render(request, "hotline/report.html", {"form": form, "regions": regions, "region": region,
                                                   "citizen": citizen}, status=status)


# ---- lists and the complaint page ----------------------------------------------------------------

@login_required
def complaint_list(request: AuthedRequest) -> HttpResponse:
    """Operators: the region's complaints; handlers: their unit's inbox (their complaints and 报到 tasks)."""
    role = _role(request)
    rows = actions.visible(request.user).select_related("category", "unit", "street")
    state = request.GET.get("state") or ""
    if state in State.values:
        rows = rows.filter(state=state)
    elif state != "all":
        rows = rows.filter(state__in=OPEN_STATES)
    page = Paginator(rows.order_by("received_at"), 30).get_page(request.GET.get("page"))
    at = clock.now()
    tasks: list[WhistleTask] | QuerySet[WhistleTask] = []
    if role.role == Role.HANDLER:
        tasks = WhistleTask.objects.filter(unit=role.unit, reported_at__isnull=True).select_related("complaint")
    return render(request, "hotline/list.html", {
        "role": role, "page": page, "state": state, "states": State.choices, "tasks": tasks, "now": at,
        "rows": [(c, actions.deadline_status(c, at)) for c in page.object_list],
    })


def _visible(request: AuthedRequest, number: str) -> Complaint:
    complaint = actions.visible(request.user).filter(number=number).select_related(
        "region", "category", "unit", "street").first()
    if complaint is None:
        raise Http404("没有这件诉求，或您无权查看")
    return complaint


@login_required
def complaint_detail(request: AuthedRequest, number: str) -> HttpResponse:
    role = _role(request)
    c = _visible(request, number)
    is_unit = role.role == Role.HANDLER and role.unit_id == c.unit_id
    version: int | None = None
    suggestions: list[dispatch.Suggestion] = []
    if role.role == Role.OPERATOR and c.state == State.REGISTERED:  # web, Open311, returned or registered only
        version, suggestions = dispatch.suggest(c.text, c.region)
    top = c.category_id or next((s.category_id for s in suggestions if s.category_id), None)
    return render(request, "hotline/detail.html", {
        "suggestions": suggestions, "model_version": version,
        "suggestions_json": json.dumps([s.as_dict() for s in suggestions], ensure_ascii=False),
        "c": c, "role": role, "is_unit": is_unit, "phone": mask_phone(c.caller_phone),
        "deadline": actions.deadline_status(c),
        "events": [(e, actions.ACTION_LABELS.get(e.action, e.action)) for e in c.events.all()],
        "tasks": c.whistle_tasks.select_related("unit"),
        "my_task": c.whistle_tasks.filter(unit_id=role.unit_id, reported_at__isnull=True).first()
        if role.role == Role.HANDLER and role.unit_id is not None else None,
        "dispatch_form": DispatchForm(region=c.region, initial={"category": top}),
        "departments": Unit.objects.filter(region=c.region, kind=Unit.Kind.DEPARTMENT, active=True),
        "note_form": NoteForm(), "callback_form": CallbackForm(), "State": State,
    })


@login_required
@require_POST
def act(request: AuthedRequest, number: str, action: str) -> HttpResponse:
    """One action on a complaint page; the page's version makes a stale screen fail."""
    _role(request)
    c = _visible(request, number)
    try:
        version = int(request.POST.get("version") or c.version)
    except ValueError:
        version = -1
    note = request.POST.get("note") or ""
    try:
        if action == "dispatch":
            dispatch_form = DispatchForm(request.POST, region=c.region)
            if not dispatch_form.is_valid():
                raise Invalid("请选择诉求分类。", code="hotline.category_required")
            data = dispatch_form.cleaned_data
            actions.do_dispatch(request.user, c, data["category"], data["unit"], suggestions=data["suggestions"],
                                model_version=data["model_version"], expected_version=version)
        elif action == "return":
            actions.do_return(request.user, c, note, expected_version=version)
        elif action == "contact":
            actions.do_contact(request.user, c, note, expected_version=version)
        elif action == "reply":
            actions.do_reply(request.user, c, note, expected_version=version)
        elif action == "callback":
            callback_form = CallbackForm(request.POST)
            if not callback_form.is_valid():
                raise Invalid("请选择是否解决和是否满意。", code="hotline.callback_incomplete")
            data = callback_form.cleaned_data
            actions.do_callback(request.user, c, solved=data["solved"], satisfaction=data["satisfaction"],
                                note=data["note"], expected_version=version)
        elif action == "whistle":
            actions.do_whistle(request.user, c, _summons(request, c), expected_version=version)
        else:
            raise Http404("未知操作")
        messages.success(request, f"已{actions.ACTION_LABELS[action]}。")
    except TongbanError as exc:
        _fail(request, exc)
    return redirect("hotline:detail", number)


def _summons(request: AuthedRequest, c: Complaint) -> list[actions.Summons]:
    """The departments ticked on the whistle form, each with its own task and hours."""
    out = []
    for raw in request.POST.getlist("unit"):
        unit_id = actions.as_id(raw)
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if unit is None:
            raise Invalid(f"未知的部门：{raw[:20]}", code="hotline.whistle_unit_unknown")
        try:
            hours = int(request.POST.get(f"hours_{unit.pk}") or 48)
        except ValueError:
            raise Invalid(f"“{unit.name}”的报到时限应为小时数。", code="hotline.whistle_hours_invalid") from None
        out.append(actions.Summons(unit, request.POST.get(f"task_{unit.pk}") or "", hours))
    return out


@login_required
@require_POST
def task_act(request: AuthedRequest, task_id: int, action: str) -> HttpResponse:
    """报到 by the summoned department, or the street's score of it."""
    _role(request, Role.HANDLER)
    task = get_object_or_404(WhistleTask.objects.select_related("complaint", "unit", "complaint__unit"), pk=task_id)
    try:
        if action == "report":
            actions.do_report(request.user, task, request.POST.get("report") or "")
        elif action == "score":
            actions.do_score(request.user, task, actions.as_id(request.POST.get("score")) or 0)
        else:
            raise Http404("未知操作")
        messages.success(request, "已报到。" if action == "report" else "已评价。")
    except TongbanError as exc:
        _fail(request, exc)
    return redirect("hotline:detail", task.complaint.number)


# ---- boards --------------------------------------------------------------------------------------

@login_required
def whistle_board(request: AuthedRequest) -> HttpResponse:
    """吹哨报到看板: complaints being whistled in the region, each department's task, deadline and report."""
    role = _role(request)
    tasks = WhistleTask.objects.filter(complaint__region=role.region).select_related(
        "complaint", "complaint__unit", "unit").order_by("reported_at", "due")
    if role.role == Role.HANDLER:
        from django.db.models import Q

        tasks = tasks.filter(Q(unit=role.unit) | Q(complaint__unit=role.unit))
    open_only = request.GET.get("all") != "1"
    if open_only:
        tasks = tasks.filter(complaint__state=State.WHISTLED)
    return render(request, "hotline/whistle.html", {"tasks": tasks[:200], "now": clock.now(),
                                                    "open_only": open_only, "role": role})


def _month(request: AuthedRequest) -> tuple[int, int, MonthForm]:
    form = MonthForm(request.GET or None)
    today = clock.today()
    if form.is_valid() and form.cleaned_data["month"]:
        day = form.cleaned_data["month"]
        return day.year, day.month, form
    return today.year, today.month, MonthForm(initial={"month": today.replace(day=1)})


@login_required
def rates_page(request: AuthedRequest) -> HttpResponse:
    """三率排名: response, resolution, satisfaction rates per unit for a month, composite score, charts."""
    role = _role(request)
    year, month, form = _month(request)
    ranking = rates.monthly_rates(year, month, region=role.region)
    scores = rates.whistle_scores(year, month, region=role.region)
    ranked = [r for r in ranking if r.composite is not None]
    chart = {"composite": {"kind": "hbar", "title": "综合成绩", "labels": [r.unit.name for r in ranked],
                           "values": [r.composite for r in ranked], "colours": ["#1f6feb"] * len(ranked)}}
    return render(request, "hotline/rates.html", {
        "ranking": ranking, "scores": scores, "year": year, "month": month, "form": form,
        "weights": rates.current_weights(), "chart": chart, "role": role,
        "month_param": f"{year:04d}-{month:02d}",
    })


@login_required
def rates_xlsx(request: AuthedRequest) -> HttpResponse:
    role = _role(request)
    year, month, _ = _month(request)
    body = rates.to_xlsx(year, month, rates.monthly_rates(year, month, region=role.region),
                         rates.whistle_scores(year, month, region=role.region))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="tongban-hotline-rates-{year:04d}-{month:02d}.xlsx"'
    return response


@login_required
def hot_board(request: AuthedRequest) -> HttpResponse:
    """热点诉求: similar complaints of the last days grouped and ranked (operators and supervisors: the
    board spans the whole region, which a unit's handler may not read)."""
    role = _role(request, Role.OPERATOR, Role.SUPERVISOR)
    try:
        days = min(max(int(request.GET.get("days") or 90), 1), 365)
    except ValueError:
        days = 90
    since = clock.now() - datetime.timedelta(days=days)
    issues = hot.region_hot_issues(role.region, since=since)
    return render(request, "hotline/hot.html", {"issues": issues[:30], "days": days, "role": role})
