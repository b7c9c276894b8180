"""The resident's own pages: 实名注册, 办事人登录, 企业登记, and 我的 (cases, complaints, licences, messages).

Thin: each POST calls one action of `accounts.citizens`; a refusal's message goes on the form field it
concerns (`forms.field_of`). Decisions (docs/citizens.md):
- Two steps without JavaScript: the phone is sent first (获取验证码) and kept in the session; the
  second step shows it and asks for the code and the rest. The session holds only the phone and the
  purpose, never the code.
- Besides the per-phone throttle of the codes, this page counts per client address (core.ratelimit):
  every code request (refused ones too: "已注册/尚未注册" must not be probed freely), and failed
  password logins per address and per phone (the phone normalised as the login compares it).
- Staff log in apart (/accounts/login/); 我的 is for residents only (403 for anyone else).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tongban.accounts import citizens
from tongban.accounts.models import Citizen, CodePurpose, citizen_of
from tongban.cases.actions import visible_cases
from tongban.cases.clock import clock
from tongban.cases.models import State
from tongban.core import clock as core_clock
from tongban.core import ratelimit
from tongban.core.errors import NotAllowed, TongbanError
from tongban.core.identity import mask_id, mask_phone
from tongban.core.typing import AnyRequest, AuthedRequest
from tongban.hotline.models import Complaint
from tongban.notifications.models import Channel, Notification
from tongban.portal.forms import (
    CodeLoginForm,
    EnterpriseForm,
    PasswordLoginForm,
    PhoneForm,
    RegistrationForm,
    field_of,
)
from tongban.portal.regions import served_regions
from tongban.verification.models import ResultDocument

BACKEND = "tongban.accounts.backends.PhoneBackend"
SESSION_KEY = "portal.code_phone"  # {"purpose": "register" | "login", "phone": "138…"}
CODE_REQUESTS = ratelimit.Limit("portal.code_requests", 20, 3600)  # per client address
LOGIN_FAILURES = ratelimit.Limit("portal.login_failures", 10, 600)  # per address and per phone
OPEN_CASE_STATES = [s for s in State.values if s not in (State.DELIVERED, State.ARCHIVED)]



def _pending(request: AnyRequest, purpose: str) -> str:
    """The phone a code was sent to for `purpose` in this session, or ""."""
    held = request.session.get(SESSION_KEY) or {}
    return held.get("phone", "") if held.get("purpose") == purpose else ""


def _send_code(request: AnyRequest, phone: str, purpose: str) -> str:
    """Send a code; every request, sent or refused, counts against the per-address limit first. The phone
    is remembered in the session. Returns the phone."""
    limits = [(CODE_REQUESTS, ratelimit.client_address(request))]
    ratelimit.check(limits, "获取验证码过于频繁，请稍后再试")
    ratelimit.hit(limits)  # every request, sent or refused
    row = citizens.do_send_code(phone, purpose)
    request.session[SESSION_KEY] = {"purpose": purpose, "phone": row.phone}
    messages.success(request, f"验证码已发送至 {mask_phone(row.phone)}，5 分钟内有效。")
    return row.phone


def _next(request: AnyRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("portal:my")


def _put(form: Any, error: TongbanError, rename: dict[str, str] | None = None) -> None:
    field = field_of(error.code)
    field = (rename or {}).get(field or "", field)
    form.add_error(field if field in form.fields else None, error.message)


# ---- registration and login --------------------------------------------------------------------------

def register(request: AnyRequest) -> HttpResponse:
    """实名注册: step 1 the phone (获取验证码), step 2 the code, name, 身份证号, region and password."""
    if citizen_of(request.user) is not None:
        return redirect("portal:my")
    if request.GET.get("restart"):
        request.session.pop(SESSION_KEY, None)
        return redirect("portal:register")
    regions = served_regions()
    phone = _pending(request, CodePurpose.REGISTER)
    phone_form = PhoneForm(initial={"phone": phone})
    form = RegistrationForm(regions=regions)
    if request.method == "POST" and request.POST.get("action") == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                _send_code(request, phone_form.cleaned_data["phone"], CodePurpose.REGISTER)
                return redirect("portal:register")
            except TongbanError as exc:
                phone_form.add_error("phone", exc.message)
    elif request.method == "POST" and phone:
        form = RegistrationForm(request.POST, regions=regions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                citizen = citizens.do_register(citizens.Registration(
                    phone=phone, code=data["code"], name=data["name"], id_number=data["id_number"],
                    password=data["password1"], region=data["region"]), regions=[r.code for r in regions])
            except TongbanError as exc:
                _put(form, exc)
            else:
                request.session.pop(SESSION_KEY, None)
                login(request, citizen.user, backend=BACKEND)
                messages.success(request, f"注册成功，欢迎您，{citizen.name}。")
                return redirect("portal:my")
    return render(request, "portal/register.html", {
        "phone": phone, "phone_form": phone_form, "form": form, "step": 2 if phone else 1})


def login_page(request: AnyRequest) -> HttpResponse:
    """办事人登录: phone and password, or phone and an SMS code. Staff are sent to /accounts/login/."""
    if request.GET.get("restart"):
        request.session.pop(SESSION_KEY, None)
        return redirect(reverse("portal:login") + "?mode=code")
    phone = _pending(request, CodePurpose.LOGIN)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    mode = "code" if action in ("send", "code") or request.GET.get("mode") == "code" or phone else "password"
    password_form = PasswordLoginForm()
    phone_form = PhoneForm(initial={"phone": phone})
    code_form = CodeLoginForm()
    user = None
    if action == "password":
        password_form = PasswordLoginForm(request.POST)
        if password_form.is_valid():
            user = _password_login(request, password_form)
    elif action == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                _send_code(request, phone_form.cleaned_data["phone"], CodePurpose.LOGIN)
                return redirect(reverse("portal:login") + "?mode=code")
            except TongbanError as exc:
                phone_form.add_error("phone", exc.message)
    elif action == "code" and phone:
        code_form = CodeLoginForm(request.POST)
        if code_form.is_valid():
            try:
                user = citizens.do_login_with_code(phone, code_form.cleaned_data["code"])
            except TongbanError as exc:
                code_form.add_error("code" if field_of(exc.code) == "code" else None, exc.message)
    if user is not None:
        request.session.pop(SESSION_KEY, None)
        login(request, user, backend=BACKEND)
        return redirect(_next(request))
    return render(request, "portal/login.html", {
        "mode": mode, "phone": phone, "password_form": password_form, "phone_form": phone_form,
        "code_form": code_form, "next": request.POST.get("next") or request.GET.get("next", "")})


def _password_login(request: AnyRequest, form: PasswordLoginForm) -> Any:
    """The resident, or None with the refusal on the form; failures counted per address and per phone."""
    phone = citizens.normalise_phone(form.cleaned_data["phone"])
    limits = [(LOGIN_FAILURES, ratelimit.client_address(request)), (LOGIN_FAILURES, phone)]
    try:
        ratelimit.check(limits, "登录失败次数过多，请 10 分钟后再试，或用短信验证码登录")
        return citizens.check_password_login(request, phone, form.cleaned_data["password"])
    except TongbanError as exc:
        if exc.code == "accounts.bad_credentials":
            ratelimit.hit(limits)
        form.add_error(None, exc.message)
    return None


# ---- 我的 --------------------------------------------------------------------------------------------

ResidentView = Callable[..., HttpResponse]


def resident_page(view: ResidentView) -> Callable[..., HttpResponse]:
    """Login (the residents' login page) and a real-name account required; the view gets the `Citizen`."""

    @wraps(view)
    @login_required(login_url="portal:login")
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = citizen_of(request.user)
        if citizen is None:
            raise NotAllowed("“我的”页面供实名注册的办事人使用；工作人员请使用办件页面。", code="portal.not_citizen")
        return view(request, citizen, *args, **kwargs)

    return wrapper


def _complaints(citizen: Citizen) -> Any:
    """The resident's hotline complaints: those they reported signed in, and those left with their
    verified phone number."""
    own = Q(caller_phone=citizen.phone) | Q(reporter=citizen.user)
    return Complaint.objects.filter(own).order_by("-received_at")


def _documents(request: AuthedRequest) -> Any:
    return (ResultDocument.objects.filter(case__in=visible_cases(request.user).values("pk"), revoked_at__isnull=True)
            .select_related("case", "case__item").order_by("-issued_at"))


def _inbox(request: AuthedRequest) -> Any:
    return Notification.objects.filter(user=request.user, channel=Channel.INBOX).order_by("-created_at", "-id")


@resident_page
def my(request: AuthedRequest, citizen: Citizen) -> HttpResponse:
    cases = visible_cases(request.user)
    return render(request, "portal/my.html", {
        "citizen": citizen, "masked_id": mask_id(citizen.id_number), "masked_phone": mask_phone(citizen.phone),
        "counts": {"cases": cases.count(), "open_cases": cases.filter(state__in=OPEN_CASE_STATES).count(),
                   "complaints": _complaints(citizen).count(), "documents": _documents(request).count(),
                   "unread": _inbox(request).filter(read_at__isnull=True).count()},
        "enterprises": citizen.enterprises.order_by("name").prefetch_related("agents"),
    })


@resident_page
def my_cases(request: AuthedRequest, citizen: Citizen) -> HttpResponse:
    page = Paginator(visible_cases(request.user).order_by("-received_at", "-pk"), 20).get_page(request.GET.get("page"))
    today = core_clock.today()
    rows = [(case, clock(case, today)) for case in page.object_list]  # the clock of the shown cases only
    return render(request, "portal/my_cases.html", {"page": page, "rows": rows})


@resident_page
def my_complaints(request: AuthedRequest, citizen: Citizen) -> HttpResponse:
    page = Paginator(_complaints(citizen), 20).get_page(request.GET.get("page"))
    return render(request, "portal/my_complaints.html", {"page": page})


@resident_page
def my_documents(request: AuthedRequest, citizen: Citizen) -> HttpResponse:
    page = Paginator(_documents(request), 20).get_page(request.GET.get("page"))
    return render(request, "portal/my_documents.html", {"page": page})


@resident_page
def my_messages(request: AuthedRequest, citizen: Citizen) -> HttpResponse:
    page = Paginator(_inbox(request), 20).get_page(request.GET.get("page"))
    return render(request, "portal/my_messages.html", {"page": page})


@resident_page
def open_message(request: AuthedRequest, citizen: Citizen, pk: int) -> HttpResponse:
    """Mark the message read and follow its link (a link on this site only); without one, show it."""
    message = citizens.do_open_message(request.user, pk)
    path = _own_path(message.link)
    if path:
        return redirect(path)
    return render(request, "portal/message.html", {"message": message})


def _own_path(link: str) -> str:
    """The path of a link on this site (on TONGBAN_PUBLIC_URL, as messages' links are, or a bare path);
    "" for any other link (another host, "//host", a scheme)."""
    public = settings.TONGBAN_PUBLIC_URL.rstrip("/")
    path = link.removeprefix(public) if public and link.startswith(public + "/") else link
    return path if path and url_has_allowed_host_and_scheme(path, allowed_hosts=None) else ""


@resident_page
def register_enterprise(request: AuthedRequest, citizen: Citizen) -> HttpResponse:
    """企业登记: the resident, its legal representative, declares an enterprise and becomes its 经办人."""
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = citizens.do_register_enterprise(request.user, **form.cleaned_data)
        except TongbanError as exc:
            _put(form, exc, rename={"id_number": "legal_representative_id", "name": "name"})
        else:
            messages.success(request, f"已登记企业 {enterprise.name}，您是其法定代表人和经办人。")
            return redirect("portal:my")
    return render(request, "portal/enterprise.html", {"form": form})

