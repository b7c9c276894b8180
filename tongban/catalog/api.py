"""Catalogue read API: regions, departments, items (filtered, paginated) and search."""

from django.shortcuts import get_object_or_404
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tongban.catalog import search as catalog_search
from tongban.catalog.actions import item_data, items_with_details
from tongban.catalog.filters import by_code, filter_items
from tongban.catalog.models import Department, Item, ItemClass, ItemType, Mode, Region
from tongban.core.typing import AnyRequest

router = Router(tags=["事项清单"])
REGION_CODE = r"^[0-9A-Za-z-]{1,12}$"

class RegionOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None = Field(None, alias="parent.code")

class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    region: str = Field(..., alias="region.code")

class MaterialOut(Schema):
    name: str
    kind: str
    copies: int
    form: str
    e_licence: bool
    required: bool

class CompetenceOut(Schema):
    region: str
    department: str

class ItemSummaryOut(Schema):
    code: str
    name: str
    item_type: str
    item_class: str
    modes: list[str]
    legal_limit_days: int | None
    promised_limit_days: int | None
    version: int

class ItemOut(ItemSummaryOut):
    legal_basis: str
    conditions: str
    fee: str
    channels: list[str]
    standard_version: str
    keywords: list[str]
    departments: list[CompetenceOut]
    materials: list[MaterialOut]

class ItemFilter(FilterSchema):
    # Typed so that a wrong value is a 422 with a reason, not an empty list.
    department: int | None = Field(None, ge=1, le=2**63 - 1, description="部门 id")
    region: str | None = Field(None, pattern=REGION_CODE, description="区划代码：只列该区域有主管部门的事项")
    item_class: ItemClass | None = Field(None, description="高频便民事项 / 政务服务事项")
    item_type: ItemType | None = Field(None, description="事项类型，如 行政许可")
    mode: Mode | None = Field(None, description="全程网办 / 异地代收代办 / 多地联办")

class ReasonOut(Schema):
    token: str = Field(..., description="命中的检索单元（二字词、单字或拉丁词）")
    via: str = Field(..., description="来源：查询词、词表（口语词 → 规范用语）、同音、拼音或简称")
    score: float = Field(..., description="对得分的贡献")


class ExplanationOut(Schema):
    code: str
    score: float
    reasons: list[ReasonOut]


class SearchOut(Schema):
    query: str
    complete: bool = Field(..., description="最佳结果足够可信；否则页面提示换说法或拨打 12345")
    suggestion: str
    count: int = Field(..., description="匹配的事项数（最多 200，按相关度）")
    results: list[ItemSummaryOut]
    explanations: list[ExplanationOut] | None = Field(None, description="explain=true 时：每个结果为何命中")

@router.get("/regions", response=list[RegionOut], summary="区域列表")
def list_regions(request: AnyRequest):
    return Region.objects.select_related("parent")

@router.get("/departments", response=list[DepartmentOut], summary="部门列表")
@paginate(PageNumberPagination, page_size=100)
def list_departments(request: AnyRequest, region: str | None = Query(None, pattern=REGION_CODE)):
    qs = Department.objects.select_related("region")
    return qs.filter(region__code=region) if region else qs

@router.get("/items", response=list[ItemSummaryOut], summary="事项列表（可筛选）")
@paginate(PageNumberPagination, page_size=50)
def list_items(request: AnyRequest, filters: Query[ItemFilter]):
    return filter_items(Item.objects.all(), **filters.dict()).distinct().order_by(by_code())

@router.get("/items/{code}", response=ItemOut, summary="事项详情")
def get_item(request: AnyRequest, code: str):
    item = get_object_or_404(items_with_details(), code=code)
    data = item_data(item)
    return {
        **data.as_dict(),
        "version": item.version,
        "modes": item.modes,
        "channels": item.channel_labels,
        "departments": [{"region": r, "department": d} for r, d in data.departments],
    }

@router.get("/search", response=SearchOut, summary="事项检索（中文，容错）")
def search_items(request: AnyRequest, q: str = Query(..., min_length=1, max_length=100),
                 limit: int = Query(20, ge=1, le=100), explain: bool = False):
    """`explain=true` adds, for each result, the tokens it matched and where each came from (the query's own
    words, a vocabulary entry, a homophone, pinyin or an abbreviation): for the administrators who tune the
    vocabulary (检索词表)."""
    result = catalog_search.search(q, limit=limit)
    explanations = None
    if explain:
        explanations = []
        for item in result.items:
            reasons = result.explain(item)
            explanations.append({"code": item.code, "score": round(sum(r.score for r in reasons), 3),
                                 "reasons": [vars(r) for r in reasons]})
    return {"query": result.query, "complete": result.complete, "suggestion": result.suggestion,
            "count": result.total, "results": result.items, "explanations": explanations}
