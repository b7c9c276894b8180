"""Case API: create (with Idempotency-Key), list, read, act. Thin: every write is one action call.

A refused action is a `TongbanError`: the API's one handler answers ``{"detail", "code"}`` with its status.
"""

import hashlib
import json
from datetime import date

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from tongban.cases import actions
from tongban.cases.clock import clock
from tongban.cases.models import Case, Extension, IdempotencyKey, JointTask, State
from tongban.core import clock as core_clock
from tongban.core.errors import Invalid, NotFound
from tongban.core.identity import mask_id, mask_phone
from tongban.core.typing import AuthedRequest, User

# django_auth: every handler's request.user is a signed-in User (AuthedRequest)
router = Router(tags=["办件"], auth=django_auth)


class ApplicationIn(Schema):
    item_code: str = Field(..., max_length=80)
    competent_region: str = Field(..., max_length=12, description="申请哪个地区的事项（区划代码）")
    applicant_kind: str = Field("person", description="person / enterprise")
    applicant_name: str = Field(..., max_length=100)
    applicant_id_number: str = Field(..., max_length=18)
    applicant_phone: str = Field(..., max_length=20)
    applicant_credit_code: str = Field("", max_length=18)
    mode: str = Field("", description="缺省：窗口收件为异地代收代办，网上申请为全程网办")
    delivery: str = "window"
    delivery_address: str = Field("", max_length=200)
    materials_checked: list[str] = []
    delegation: str = Field("", max_length=80, description="审批交叉授权：依此委托由受托部门办理（委托编号）")


class ClockOut(Schema):
    status: str
    legal_due: date | None
    promised_due: date | None
    used: int | None
    remaining: int | None
    paused_days: int
    problem: str


class CaseOut(Schema):
    number: str
    state: str
    state_label: str
    version: int
    item_code: str = Field(..., alias="item.code")
    item_name: str = Field(..., alias="item.name")
    item_version: int = Field(..., alias="item_version.version")
    mode: str
    receiving_region: str = Field(..., alias="receiving_region.code")
    receiving_centre: str | None
    competent_region: str = Field(..., alias="competent_region.code")
    competent_department: str = Field(..., alias="competent_department.name")
    applicant_name: str
    applicant_id_number: str = Field(..., description="已脱敏")
    applicant_phone: str = Field(..., description="已脱敏")
    outcome: str
    clock: ClockOut

    @staticmethod
    def resolve_state_label(case: Case) -> str:
        return case.get_state_display()

    @staticmethod
    def resolve_receiving_centre(case: Case) -> str | None:
        return case.receiving_centre.name if case.receiving_centre else None

    @staticmethod
    def resolve_applicant_id_number(case: Case) -> str:
        return mask_id(case.applicant_id_number)

    @staticmethod
    def resolve_applicant_phone(case: Case) -> str:
        return mask_phone(case.applicant_phone)

    @staticmethod
    def resolve_clock(case: Case) -> dict:
        return clock(case, core_clock.today()).__dict__


class ActionIn(Schema):
    expected_version: int | None = Field(None, description="操作时看到的修订号；与当前不符则 409")
    reason: str = ""
    basis: str = ""
    missing: list[str] = []
    note: str = ""
    outcome: str = ""


class ExtensionIn(Schema):
    days: int = Field(..., ge=1, le=actions.MAX_EXTENSION_DAYS)
    reason: str = Field(..., max_length=200)


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    status: str


CASE_RELATED = actions.RELATED


def case_out(case: Case) -> Case:
    return Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)


def _visible_case(request: AuthedRequest, number: str) -> Case:
    case = get_object_or_404(Case.objects.select_related(*CASE_RELATED), number=number)
    if not actions.can_view(request.user, case):
        raise NotFound("办件不存在或无权查看", code="case.not_found")  # no hint that the number exists
    return case


@router.post("/", response={200: CaseOut, 201: CaseOut}, summary="提交办件（收件）")
def create_case(request: AuthedRequest, payload: ApplicationIn):
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        raise Invalid("Idempotency-Key 不能超过 100 个字符", code="case.idempotency_key_too_long")
    digest = hashlib.sha256(json.dumps(payload.dict(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    if key:
        existing = _replay(request.user, key, digest)
        if existing:
            return 200, case_out(existing)
    try:
        with transaction.atomic():
            case = actions.do_receive(request.user, actions.Application(**payload.dict()))
            if key:
                IdempotencyKey.objects.create(key=key, owner=request.user, request_digest=digest, case=case)
    except IntegrityError:
        # The same key arrived twice at once: the other request created the case; ours rolled back.
        existing = _replay(request.user, key, digest) if key else None
        if existing is None:
            raise
        return 200, case_out(existing)
    return 201, case_out(case)


def _replay(user: User, key: str, digest: str) -> Case | None:
    found = IdempotencyKey.objects.select_related("case").filter(owner=user, key=key).first()
    if found is None:
        return None
    if found.request_digest != digest:
        raise Invalid("该 Idempotency-Key 已用于另一份不同的申请", code="case.idempotency_key_reused")
    return found.case


@router.get("/", response=list[CaseOut], summary="我可见的办件")
@paginate(PageNumberPagination, page_size=50)
def list_cases(request: AuthedRequest, state: State | None = None):
    qs = actions.visible_cases(request.user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("received_at", "pk")


@router.get("/{number}", response=CaseOut, summary="办件详情")
def get_case(request: AuthedRequest, number: str):
    return _visible_case(request, number)


@router.post("/{number}/actions/{action}", response=CaseOut, summary="办理操作（受理、补正、决定……）")
def act(request: AuthedRequest, number: str, action: str, payload: ActionIn):
    case = _visible_case(request, number)
    params = payload.dict(exclude={"expected_version"})
    fresh = actions.do_transition(request.user, case, action, expected_version=payload.expected_version, **params)
    return case_out(fresh)


@router.post("/{number}/extensions", response={201: ExtensionOut}, summary="申请延期")
def request_extension(request: AuthedRequest, number: str, payload: ExtensionIn):
    case = _visible_case(request, number)
    return 201, actions.do_request_extension(request.user, case, days=payload.days, reason=payload.reason)


@router.post("/{number}/joint-tasks/{task_id}/complete", response=CaseOut, summary="完成多地联办任务")
def complete_joint_task(request: AuthedRequest, number: str, task_id: int, payload: ActionIn):
    case = _visible_case(request, number)
    task = get_object_or_404(JointTask, pk=task_id, case=case)
    actions.do_complete_joint_task(request.user, task, note=payload.note)
    return case_out(case)


@router.post("/extensions/{extension_id}/{decision}", response=ExtensionOut, summary="批准或驳回延期")
def decide_extension(request: AuthedRequest, extension_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise NotFound("未知操作", code="case.unknown_decision")
    extension = get_object_or_404(Extension, pk=extension_id)
    return actions.do_decide_extension(request.user, extension, approve=decision == "approve")
