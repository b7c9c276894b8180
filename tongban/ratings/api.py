"""好差评 API: rate a case, list rectifications, take a rectification step. Thin: every write is one action.

A refused action raises a tongban.core.errors.TongbanError, which the API's one handler (tongban/api.py)
answers with ``{"detail", "code"}`` and its status.
"""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from tongban.audit.masking import mask_text
from tongban.cases.actions import can_view
from tongban.cases.models import Case
from tongban.core import clock
from tongban.core.errors import NotFound
from tongban.core.typing import AuthedRequest, User
from tongban.ratings import actions
from tongban.ratings.models import Rating, Rectification, RectificationQuerySet

router = Router(tags=["好差评"], auth=django_auth)


class RateIn(Schema):
    level: int = Field(..., ge=1, le=5, description="5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意")
    comment: str = Field("", max_length=actions.COMMENT_MAX)


def _person(user: User | None) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


class RatingOut(Schema):
    case_number: str = Field(..., alias="case.number")
    target: str = Field(..., description="评价对象：window 窗口服务，department 审批部门服务")
    level: int
    level_label: str
    reason: str = Field(..., description="差评原因（BadReason 的值），非差评为空")
    comment: str = Field(..., description="手机号、身份证号已脱敏")
    source: str
    channel: str | None
    officer: str | None
    created_at: datetime
    excluded: bool
    rectification_id: int | None

    @staticmethod
    def resolve_level_label(rating: Rating) -> str:
        return rating.get_level_display()

    @staticmethod
    def resolve_comment(rating: Rating) -> str:
        return mask_text(rating.comment)

    @staticmethod
    def resolve_channel(rating: Rating) -> str | None:
        return rating.channel.name if rating.channel else None

    @staticmethod
    def resolve_officer(rating: Rating) -> str | None:
        return _person(rating.officer)

    @staticmethod
    def resolve_rectification_id(rating: Rating) -> int | None:
        rect = Rectification.objects.filter(rating=rating).only("pk").first()
        return rect.pk if rect else None


class RectificationOut(Schema):
    id: int
    case_number: str = Field(..., alias="rating.case.number")
    item_name: str = Field(..., alias="rating.case.item.name")
    level: int = Field(..., alias="rating.level")
    level_label: str
    comment: str
    channel: str | None
    officer: str | None
    region: str | None = Field(None, description="责任地区（区划代码）")
    state: str
    state_label: str
    version: int
    due_on: date | None
    overdue: bool
    verified_finding: str
    measures: str
    feedback: str
    rectified_on: date | None
    recheck_note: str
    appeal_reason: str
    appeal_decision_note: str
    opened_at: datetime
    closed_at: datetime | None
    excluded: bool = Field(..., alias="rating.excluded")
    allowed_steps: list[str] = Field([], description="当前用户现在可以执行的步骤")

    @staticmethod
    def resolve_level_label(rect: Rectification) -> str:
        return rect.rating.get_level_display()

    @staticmethod
    def resolve_comment(rect: Rectification) -> str:
        return mask_text(rect.rating.comment)

    @staticmethod
    def resolve_channel(rect: Rectification) -> str | None:
        return rect.rating.channel.name if rect.rating.channel else None

    @staticmethod
    def resolve_officer(rect: Rectification) -> str | None:
        return _person(rect.rating.officer)

    @staticmethod
    def resolve_region(rect: Rectification) -> str | None:
        return rect.region.code if rect.region else None

    @staticmethod
    def resolve_state_label(rect: Rectification) -> str:
        return rect.get_state_display()

    @staticmethod
    def resolve_allowed_steps(rect: Rectification, context) -> list[str]:
        return actions.allowed_steps(context["request"].user, rect)


class StepIn(Schema):
    expected_version: int | None = Field(None, description="操作时看到的修订号；与当前不符则 409")
    finding: str = ""
    days: int | None = Field(None, description="整改期限（工作日），核实时使用；缺省为系统设置（5）")
    measures: str = ""
    feedback: str = ""
    note: str = ""
    reason: str = ""
    uphold: bool | None = Field(None, description="处理申诉：true 成立，false 不成立")


def _visible(request: AuthedRequest, rect_id: int) -> Rectification:
    rect = actions.visible_rectifications(request.user).filter(pk=rect_id).first()
    if rect is None:
        raise NotFound("整改不存在或无权查看", code="rectification.not_found")
    return rect


@router.post("/cases/{number}", response={201: RatingOut}, summary="评价办件（好差评）")
def rate(request: AuthedRequest, number: str, payload: RateIn) -> tuple[int, Rating]:
    case = get_object_or_404(Case.objects.select_related("receiving_region", "receiving_channel"), number=number)
    if not can_view(request.user, case):
        raise NotFound("办件不存在或无权查看", code="rating.case_not_found")
    return 201, actions.do_rate(request.user, case, level=payload.level, comment=payload.comment)


@router.get("/rectifications", response=list[RectificationOut], summary="我可见的差评整改")
@paginate(PageNumberPagination, page_size=50)
def list_rectifications(request: AuthedRequest, state: Rectification.State | None = None,
                        overdue: bool = False) -> RectificationQuerySet:
    qs = actions.visible_rectifications(request.user)
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.overdue(clock.today())
    return qs.order_by("opened_at", "pk")


@router.get("/rectifications/{rect_id}", response=RectificationOut, summary="差评整改详情")
def get_rectification(request: AuthedRequest, rect_id: int) -> Rectification:
    return _visible(request, rect_id)


@router.post("/rectifications/{rect_id}/{step}", response=RectificationOut,
             summary="整改步骤：verify 核实、rectify 整改反馈、recheck 复核、appeal 申诉、decide_appeal 处理申诉")
def take_step(request: AuthedRequest, rect_id: int, step: str, payload: StepIn) -> Rectification:
    if step not in actions.STEPS:
        raise NotFound(f"未知操作：{step}", code="rectification.unknown_step")
    # Not filtered by visibility: access is the action's to decide, so staff without the right get 403.
    rect = get_object_or_404(Rectification.objects.select_related("rating__case", "region"), pk=rect_id)
    params = payload.dict(exclude={"expected_version"})
    return actions.do_step(request.user, rect, step, expected_version=payload.expected_version, **params)
