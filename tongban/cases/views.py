"""Case pages: the queue / my cases, the window workbench, the case page with its actions, online apply.

Thin: each POST calls one action; what a user may see and do is decided in cases.actions. A refused
action (`TongbanError`) is shown as a message on the case page (or on the receipt form).
The case page's panels from the layers above (notices, the federation exchange) come from the
functions listed in the setting `TONGBAN_CASE_PAGE_PANELS` (docs/cases.md).

Material files are served only here (`case_file`), to whoever may see the case, with the type sniffed
from the stored bytes, `nosniff` and `no-store`: never from /static/ or a media root.
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST

from tongban.accounts.models import Role, citizen_of, profile_of
from tongban.audit.actions import entries_for
from tongban.cases import actions
from tongban.cases.clock import Status, clock
from tongban.cases.forms import (
    ACTION_FORMS,
    ApplicationForm,
    MaterialFilesForm,
    OnlineApplicationForm,
    ScanForm,
    read_upload,
)
from tongban.cases.models import Case, CaseFile, Extension, JointTask, State
from tongban.cases.ports import federation
from tongban.catalog.models import Item, Region
from tongban.catalog.search import search
from tongban.core import blobs
from tongban.core import clock as core_clock
from tongban.core.errors import NotAllowed, TongbanError
from tongban.core.identity import mask_id, mask_phone
from tongban.core.typing import Actor, AuthedRequest

RELATED = actions.RELATED
TRAIL_LABELS = {f"case.{k}": v for k, v in actions.ACTION_LABELS.items()} | {
    "case.receive": "收件", "case.request_extension": "申请延期", "case.extension_approved": "批准延期",
    "case.extension_rejected": "驳回延期", "case.joint_task_done": "完成联办任务",
    "case.attach_scan": "上传窗口扫描件", "case.upload_refused": "材料文件被拒收"}
# "待办": everything that still needs someone to act (a decided or refused case awaits delivery)
RATEABLE_STATES = {State.DECIDED, State.REFUSED, State.DELIVERED, State.ARCHIVED}  # see docs/ratings.md
OPEN_STATES = [s for s in State.values if s not in (State.DELIVERED, State.ARCHIVED)]


def _trail_label(entry) -> str:
    if entry.action == "case.replicated":  # a change made on the other node, applied here (federation)
        state = entry.data.get("state")
        return f"对方节点办理，同步为“{State(state).label}”" if state in State.values else "对方节点同步"
    return TRAIL_LABELS.get(entry.action, entry.action)


def _small_int(value: str) -> int | None:
    """A form's number, or None for junk ("²", "-1", 5,000 digits)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@cache
def _panels(paths: tuple[str, ...]) -> list[Any]:
    return [import_string(path) for path in paths]


def panels(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The context the layers above add to the case page (setting `TONGBAN_CASE_PAGE_PANELS`)."""
    context: dict[str, Any] = {}
    for panel in _panels(tuple(getattr(settings, "TONGBAN_CASE_PAGE_PANELS", ()))):
        context.update(panel(request, case))
    return context


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    """The department queue sorted by time left (approvers), the centre's cases (windows), or my cases."""
    state = request.GET.get("state", "")
    qs = actions.visible_cases(request.user)
    qs = qs.filter(state=state) if state in State.values else qs.filter(state__in=OPEN_STATES)
    today = core_clock.today()
    rows = [(case, clock(case, today)) for case in qs[:2000]]
    # most urgent first: running clocks by time left; then cases not yet accepted (oldest first);
    # then decided ones awaiting delivery
    rows.sort(key=lambda r: (r[0].decided_on is not None, r[1].remaining is None,
                             r[1].remaining if r[1].remaining is not None else 0, r[0].received_at))
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    profile = profile_of(request.user)
    return render(request, "cases/list.html", {
        "page": page, "profile": profile, "state": state, "states": State.choices,
        "counts": {"warning": sum(r[1].status == Status.WARNING for r in rows),
                   "overdue": sum(r[1].status == Status.OVERDUE for r in rows)},
    })


@login_required
def receive(request: AuthedRequest) -> HttpResponse:
    """Window workbench: find any item of either region, check the materials, receive."""
    profile = profile_of(request.user)
    if profile is None or profile.role not in (Role.WINDOW, Role.BANK):
        messages.error(request, "只有窗口人员可以收件；申请人请在事项页面选择“网上申请”。")
        return redirect("catalog:home")
    query = request.GET.get("q", "").strip()
    item = Item.objects.filter(code=request.GET.get("item", "")).first()
    results = search(query, limit=10).items if query and not item else []
    form = None
    if item:
        form = _application_form(request, item, modes=[m for m in item.modes if m != "全程网办"])
        if request.method == "POST" and form.is_valid():
            case = _submit(request, item, form)
            if case:
                messages.success(request, f"已收件，办件编号 {case.number}。请打印收件回执交申请人。")
                return redirect("cases:detail", number=case.number)
    return render(request, "cases/receive.html", {"query": query, "results": results, "item": item, "form": form,
                                                  "profile": profile})


def _application_form(request: AuthedRequest, item: Item, modes: list[str] | None = None) -> ApplicationForm:
    regions = Region.objects.filter(competence__item=item).order_by("code")
    materials = [m["name"] for m in item.versions.get(version=item.version).snapshot["materials"]]
    delegations = federation().usable_delegations(item, core_clock.today()) if modes is not None else ()  # windows
    return ApplicationForm(request.POST or None, regions=regions, materials=materials, modes=modes,
                           delegations=delegations)


def _submit(request: AuthedRequest, item: Item, form: ApplicationForm) -> Case | None:
    try:
        return actions.do_receive(request.user, actions.Application(item_code=item.code, **form.cleaned_data))
    except TongbanError as exc:
        form.add_error(None, exc.message)
        return None


@login_required
def apply(request: AuthedRequest, code: str) -> HttpResponse:
    """全程网办: a citizen with a real-name account applies online, as themselves or an enterprise they act for."""
    item = get_object_or_404(Item, code=code)
    if profile_of(request.user) is not None:
        return redirect(f"{redirect('cases:receive').url}?item={item.code}")
    if not item.mode_online:
        messages.error(request, f"“{item.name}”不支持全程网办，请到任一区域通办专窗办理。")
        return redirect("catalog:item_detail", code=item.code)
    citizen = citizen_of(request.user)
    if citizen is None:
        if request.method == "POST":  # the action refuses it (case.identity_required) and audits what was posted
            actions.do_receive(request.user, actions.Application(
                item_code=item.code, competent_region=request.POST.get("competent_region", ""),
                applicant_kind="person", applicant_name=request.POST.get("applicant_name", "")[:100],
                applicant_id_number=request.POST.get("applicant_id_number", "")[:18],
                applicant_phone=request.POST.get("applicant_phone", "")[:20]))
        raise NotAllowed("网上申请须使用实名注册的个人账号登录", code="case.identity_required")
    version = item.versions.get(version=item.version)
    enterprises = list(citizen.enterprises.order_by("name"))
    form = OnlineApplicationForm(request.POST or None, request.FILES or None,
                                 regions=Region.objects.filter(competence__item=item).order_by("code"),
                                 materials=version.snapshot["materials"], enterprises=enterprises,
                                 offers=actions.elicence_offer(citizen.id_number))
    if request.method == "POST" and form.is_valid():
        files, elicences = form.uploads()
        credit_code = form.cleaned_data.get("applicant") or ""
        app = actions.Application(
            item_code=item.code, competent_region=form.cleaned_data["competent_region"],
            applicant_kind="enterprise" if credit_code else "person", applicant_name="", applicant_id_number="",
            applicant_phone="", applicant_credit_code=credit_code, delivery=form.cleaned_data["delivery"],
            delivery_address=form.cleaned_data["delivery_address"], files=files, elicences=elicences)
        try:
            case = actions.do_receive(request.user, app)
        except actions.MaterialsMissing as exc:
            _mark_missing(form, exc)
        except TongbanError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"申请已提交，办件编号 {case.number}。可在“我的办件”查看进度。")
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/apply.html", {
        "item": item, "form": form, "citizen": citizen, "id_masked": mask_id(citizen.id_number),
        "phone_masked": mask_phone(citizen.phone), "max_mb": blobs.max_bytes() // (1024 * 1024)})


def _mark_missing(form: OnlineApplicationForm | MaterialFilesForm, exc: actions.MaterialsMissing) -> None:
    form.add_error(None, exc.message)
    for material in exc.missing:
        name = form.field_of(material)
        if name:
            form.add_error(name, "请上传此材料")


def _case_for(request: AuthedRequest, number: str) -> Case:
    case = get_object_or_404(Case.objects.select_related(*RELATED), number=number)
    if not actions.can_view(request.user, case):
        raise Http404("办件不存在或无权查看")
    return case


def _available_actions(user: Actor, case: Case) -> list[dict]:
    materials = [m["name"] for m in case.item_version.snapshot["materials"]]
    available = []
    for action in actions.MACHINE.startable(case):
        if action == "supplement_received" and actions.is_online_applicant(user, case):
            continue  # the applicant answers a 补正告知 with files, on the supplement page
        try:
            actions.check_actor(user, case, action)
        except NotAllowed:
            continue
        form_class = ACTION_FORMS.get(action)
        form = None
        if form_class:
            form = form_class(materials=materials) if action == "request_supplement" else form_class()
            form.prefix = action
        available.append({"action": action, "label": actions.ACTION_LABELS[action], "form": form})
    return available


@login_required
def case_detail(request: AuthedRequest, number: str) -> HttpResponse:
    case = _case_for(request, number)
    profile = profile_of(request.user)
    port = federation()
    return render(request, "cases/detail.html", {
        "case": case,
        "clock": clock(case, core_clock.today()),
        "id_masked": mask_id(case.applicant_id_number),
        "phone_masked": mask_phone(case.applicant_phone),
        "materials": case.item_version.snapshot["materials"],
        "supplements": case.supplements.all(),
        "extensions": case.extensions.all(),
        "joint_tasks": case.joint_tasks.select_related("department", "done_by"),
        "joint_sent": {t.pk for t in case.joint_tasks.select_related("case", "department")
                       if t.state == JointTask.State.PENDING and port.joint_task_sent(t)},
        "rateable": case.state in RATEABLE_STATES,
        "can_request_extension": case.state in actions.CLOCK_RUNNING and actions.is_approver_of(profile, case),
        "can_decide_extension": actions.is_admin_of(profile, case.competent_region),
        "my_department": getattr(profile, "department_id", None),
        "trail": [(e, _trail_label(e)) for e in entries_for(f"case:{case.number}")],
        "available": _available_actions(request.user, case) if not port.holder_problem(case) else [],
        "files": case.files.select_related("uploaded_by"),
        "scan_form": ScanForm(materials=[m["name"] for m in case.item_version.snapshot["materials"]])
        if actions.can_scan(request.user, case) else None,
        "can_supplement_online": (case.state == State.SUPPLEMENT and actions.is_online_applicant(request.user, case)),
        **panels(request, case),
    })


@login_required
def case_file(request: AuthedRequest, number: str, file_id: int) -> FileResponse:
    """One material file, to whoever may see the case (else 404), typed by its content, never cached."""
    case = _case_for(request, number)
    row = get_object_or_404(CaseFile.objects.exclude(sha256=""), pk=file_id, case=case)  # 电子证照 rows: no blob
    try:
        handle = blobs.blob_path(row.sha256).open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在（可能尚未从其他节点传来）") from None
    mime = blobs.sniff(handle.read(16)) or "application/octet-stream"
    handle.seek(0)
    inline = mime in (blobs.JPEG, blobs.PNG)
    extension = {blobs.PDF: ".pdf", blobs.JPEG: ".jpg", blobs.PNG: ".png"}.get(mime, "")
    name = row.filename if row.filename.lower().endswith(extension) else f"{row.material[:40]}{extension}"
    response = FileResponse(handle, content_type=mime, as_attachment=not inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_POST
@login_required
def scan(request: AuthedRequest, number: str) -> HttpResponse:
    """窗口扫描: the receiving window (or the competent approver) adds a scanned paper material."""
    case = _case_for(request, number)
    form = ScanForm(request.POST, request.FILES,
                    materials=[m["name"] for m in case.item_version.snapshot["materials"]])
    if not form.is_valid():
        messages.error(request, "请选择材料和扫描文件。")
        return redirect("cases:detail", number=number)
    data, filename = read_upload(form.cleaned_data["file"])
    try:
        actions.do_attach_scan(request.user, case, form.cleaned_data["material"], data, filename)
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传扫描件：{form.cleaned_data['material']}。")
    return redirect("cases:detail", number=number)


@login_required
def supplement(request: AuthedRequest, number: str) -> HttpResponse:
    """网上补正: the applicant uploads what the 补正告知 lists, all at once; the case resumes."""
    case = _case_for(request, number)
    notice = actions.check_supplement(request.user, case)  # not theirs: 404; not waiting: a message
    # held by the other node (全程网办 of its item): the files go there; once sent, wait for it to confirm
    port = federation()
    problem = ("补正材料已提交至审批地节点，等待确认后办件恢复办理。" if port.holder_problem(case)
               and port.supplement_sent(case, notice.requested_at) else "")
    form = MaterialFilesForm(request.POST or None, request.FILES or None, materials=notice.missing)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            actions.do_supplement_online(request.user, case, form.uploads(),
                                         expected_version=_small_int(request.POST.get("version", "")))
        except actions.MaterialsMissing as exc:
            _mark_missing(form, exc)
        except TongbanError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "补正材料已提交至审批地节点，确认后办件恢复办理。" if port.holder_problem(case)
                             else "补正材料已提交，办件恢复办理。")
            return redirect("cases:detail", number=number)
    return render(request, "cases/supplement.html", {"case": case, "notice": notice, "form": form,
                                                     "problem": problem,
                                                     "max_mb": blobs.max_bytes() // (1024 * 1024)})


@require_POST
@login_required
def request_extension(request: AuthedRequest, number: str) -> HttpResponse:
    case = _case_for(request, number)
    days = request.POST.get("days", "")
    try:
        actions.do_request_extension(request.user, case, days=_small_int(days) or 0,
                                     reason=request.POST.get("reason", ""))
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "延期申请已提交，待审批地区管理员批准。")
    return redirect("cases:detail", number=number)


@require_POST
@login_required
def decide_extension(request: AuthedRequest, number: str, extension_id: int) -> HttpResponse:
    case = _case_for(request, number)
    extension = get_object_or_404(Extension, pk=extension_id, case=case)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, "请选择批准或驳回。")
        return redirect("cases:detail", number=number)
    approve = decision == "approve"
    try:
        actions.do_decide_extension(request.user, extension, approve=approve)
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已批准延期。" if approve else "已驳回延期申请。")
    return redirect("cases:detail", number=number)


@require_POST
@login_required
def complete_joint_task(request: AuthedRequest, number: str, task_id: int) -> HttpResponse:
    case = _case_for(request, number)
    task = get_object_or_404(JointTask, pk=task_id, case=case)
    try:
        task = actions.do_complete_joint_task(request.user, task, note=request.POST.get("note", ""))
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "联办任务已完成。" if task.state == JointTask.State.DONE
                         else "联办意见已提交至审批地节点，确认后显示为已完成。")
    return redirect("cases:detail", number=number)


@require_POST
@login_required
def act(request: AuthedRequest, number: str, action: str) -> HttpResponse:
    case = _case_for(request, number)
    params: dict[str, Any] = {}
    form_class = ACTION_FORMS.get(action)
    if form_class:
        materials = [m["name"] for m in case.item_version.snapshot["materials"]]
        kwargs = {"materials": materials} if action == "request_supplement" else {}
        form = form_class(request.POST, prefix=action, **kwargs)
        if not form.is_valid():
            messages.error(request, "；".join(f"{form.fields[f].label}：{'，'.join(e)}" if f in form.fields
                                             else "，".join(e) for f, e in form.errors.items()))
            return redirect("cases:detail", number=number)
        params = form.params() if hasattr(form, "params") else dict(form.cleaned_data)
    version = request.POST.get("version", "")
    try:
        actions.do_transition(request.user, case, action,
                              expected_version=_small_int(version), **params)
    except TongbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{actions.ACTION_LABELS.get(action, action)}。")
    return redirect("cases:detail", number=number)
