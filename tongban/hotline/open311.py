"""Open311 GeoReport v2 endpoints, so existing 311 clients can file and follow complaints.

    GET  /open311/v2/services.{json|xml}                     service list (our 诉求分类)
    GET  /open311/v2/services/{service_code}.{json|xml}      service definition (attribute STREET: 街乡镇)
    POST /open311/v2/requests.{json|xml}                     create a request (a complaint, channel Open311)
    GET  /open311/v2/requests.{json|xml}                     requests by id list / service code / dates / status
    GET  /open311/v2/requests/{service_request_id}.{json|xml}

Spec: https://wiki.open311.org/GeoReport_v2 . `jurisdiction_id` is a region code (110112 通州, 131000 廊坊);
it may be left out when the node serves one hotline region. Errors are `[{"code", "description"}]`
(XML `<errors><error>…`) with the HTTP status as code. When `TONGBAN_OPEN311_API_KEYS` is set, POST needs
one of those keys (`api_key`). Reads are public, so they list only requests filed over Open311 (never a
phone call or a web message), without the caller's name, phone or email; 身份证号 and mobile numbers in
the text are masked. POST honours an `Idempotency-Key` header: a retry returns the request it created.
Written by hand: the spec is small and no maintained Django package implements the server side.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tongban.audit.masking import mask_text
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.core.typing import AnyRequest
from tongban.hotline import actions
from tongban.hotline.models import Category, Channel, Complaint, State, Unit

CLOSED_STATES = (State.REPLIED, State.CLOSED)
MAX_IDS = 100


# The code of an Open311Error by its HTTP status, for programs that see it outside the Open311 views.
_CODES = {400: "open311.bad_request", 403: "open311.forbidden", 404: "open311.not_found"}


class Open311Error(TongbanError):
    """A refused Open311 request. A TongbanError like every refusal, but answered by `_endpoint` in the
    GeoReport v2 wire format — ``[{"code": <HTTP status>, "description"}]`` — which clients rely on, never
    as ``{"detail", "code"}``. `code` is ours (``open311.*``, or the refused action's, e.g.
    ``hotline.text_too_short``) and is not sent: the spec's `code` is the status."""

    def __init__(self, status: int, description: str, *, code: str | None = None) -> None:
        super().__init__(description, code=code or _CODES.get(status, "open311.invalid"))
        self.status, self.description = status, description


def _render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            _xml_value(el, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _xml_value(parent: ET.Element, key: str, value) -> None:
    if isinstance(value, list):  # attributes → <attributes><attribute>…, values → <values><value>…
        holder = ET.SubElement(parent, key)
        for v in value:
            child = ET.SubElement(holder, key[:-1])
            for k2, v2 in v.items():
                _xml_value(child, k2, v2)
        return
    el = ET.SubElement(parent, key)
    if value is None:
        return
    el.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt if fmt in ("json", "xml") else "json", "errors", "error",
                   [{"code": status, "description": description}], status=status)


def _endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: AnyRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in ("json", "xml"):
            return _error("json", 400, "格式应为 json 或 xml。")
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
    wrapped.__name__ = view.__name__
    return wrapped


def _jurisdiction(params: QueryDict) -> Region:
    code = (params.get("jurisdiction_id") or "").strip()
    if code:
        region = Region.objects.filter(code=code, hotline_units__isnull=False).distinct().first()
        if region is None:
            raise Open311Error(404, f"未知的 jurisdiction_id：{code}")
        return region
    regions = list(Region.objects.filter(hotline_units__isnull=False).distinct()[:2])
    if len(regions) != 1:
        raise Open311Error(400, "本节点服务多个区域，请提供 jurisdiction_id（如 110112 通州、131000 廊坊）。")
    return regions[0]


def _service(category: Category) -> dict:
    return {"service_code": str(category.pk), "service_name": category.name,
            "description": category.description or category.name, "metadata": True, "type": "realtime",
            "keywords": "", "group": "接诉即办"}


def _category(code: str) -> Category:
    pk = actions.as_id(code)
    category = Category.objects.filter(pk=pk, active=True).first() if pk is not None else None
    if category is None:
        raise Open311Error(404, f"未知的 service_code：{code}")
    return category


@require_GET
@_endpoint
def services(request: AnyRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    return _render(fmt, "services", "service", [_service(c) for c in Category.objects.filter(active=True)])


@require_GET
@_endpoint
def service_definition(request: AnyRequest, service_code: str, fmt: str) -> HttpResponse:
    region = _jurisdiction(request.GET)
    _category(service_code)
    streets = Unit.objects.filter(region=region, kind=Unit.Kind.STREET, active=True)
    attribute = {"variable": True, "code": "STREET", "datatype": "singlevaluelist", "required": False,
                 "datatype_description": "事发地所在街乡镇", "order": 1, "description": "所在街乡镇",
                 "values": [{"key": str(u.pk), "name": u.name} for u in streets]}
    body = {"service_code": service_code, "attributes": [attribute]}
    if fmt == "json":
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    root = ET.Element("service_definition")  # the spec puts service_code and attributes right under it
    for key, value in body.items():
        _xml_value(root, key, value)
    return HttpResponse(b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8"),
                        content_type="text/xml; charset=utf-8")


def _decimal(params: QueryDict, name: str, low: int, high: int) -> Decimal | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, f"{name} 应为数字：{raw[:20]}") from None
    if not value.is_finite() or not low <= value <= high:
        raise Open311Error(400, f"{name} 超出范围：{raw[:20]}")
    return value.quantize(Decimal("0.000001"))


@csrf_exempt
@require_http_methods(["POST"])
@_endpoint
def create_request(request: AnyRequest, fmt: str) -> HttpResponse:
    params = request.POST
    keys = settings.TONGBAN_OPEN311_API_KEYS
    if keys and params.get("api_key") not in keys:
        raise Open311Error(403, "api_key 无效。")
    region = _jurisdiction(params)
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code。")
    category = _category(code)
    lat, lon = _decimal(params, "lat", -90, 90), _decimal(params, "long", -180, 180)
    address = (params.get("address_string") or "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat 与 long 须同时提供。")
    if lat is None and not address and not params.get("address_id"):
        raise Open311Error(400, "须提供位置：lat/long、address_string 或 address_id 之一。")
    street = None
    street_key = (params.get("attribute[STREET]") or "").strip()
    if street_key:
        pk = actions.as_id(street_key)
        street = Unit.objects.filter(pk=pk, region=region, kind=Unit.Kind.STREET,
                                     active=True).first() if pk is not None else None
        if street is None:
            raise Open311Error(400, f"attribute[STREET] 不是{region.short_name}在用的街乡镇：{street_key[:20]}")
    name = ((params.get("last_name") or "") + (params.get("first_name") or "")).strip()
    intake = actions.Intake(region=region, text=params.get("description") or "", channel=Channel.OPEN311,
                            caller_name=name, caller_phone=params.get("phone") or "", street=street,
                            address=address or (params.get("address_id") or "").strip(), latitude=lat,
                            longitude=lon, category=category,
                            intake_key=_idempotency_key(request))
    try:
        complaint = actions.do_register(request.user, intake)
    except TongbanError as exc:  # the intake was refused (too short, a bad phone…): a 400 for the client
        raise Open311Error(400, exc.message, code=exc.code) from None
    due = timezone.localtime(complaint.dispatch_due).strftime("%Y-%m-%d %H:%M")
    return _render(fmt, "service_requests", "request", [{
        "service_request_id": complaint.number, "service_notice": f"已登记，将于 {due} 前派单至承办单位。",
        "account_id": None}], status=201)


def _idempotency_key(request: HttpRequest) -> str:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 64:
        raise Open311Error(400, "Idempotency-Key 不超过 64 个字符。")
    return f"open311:{key}" if key else ""


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _request_row(c: Complaint) -> dict:
    updated = max(t for t in (c.received_at, c.dispatched_at, c.contacted_at, c.replied_at, c.closed_at) if t)
    notes = mask_text(c.reply) if c.state in CLOSED_STATES else c.get_state_display()
    return {
        "service_request_id": c.number, "status": "closed" if c.state in CLOSED_STATES else "open",
        "status_notes": notes, "service_name": c.category.name if c.category else "",
        "service_code": str(c.category_id or ""), "description": mask_text(c.text),
        "agency_responsible": c.unit.name if c.unit else "", "service_notice": "",
        "requested_datetime": _iso(c.received_at), "updated_datetime": _iso(updated),
        "expected_datetime": _iso(c.handle_due or c.dispatch_due), "address": c.address, "address_id": "",
        "zipcode": "", "lat": str(c.latitude) if c.latitude is not None else "",
        "long": str(c.longitude) if c.longitude is not None else "", "media_url": "",
    }


def _date_param(params: QueryDict, name: str) -> datetime.datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        value = None
    if value is None:
        raise Open311Error(400, f"{name} 应为 ISO 8601 时间（如 2026-11-01T00:00:00+08:00）：{raw[:40]}")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_endpoint(request: AnyRequest, fmt: str) -> HttpResponse:
    """GET lists requests; POST creates one (the spec puts both on /requests)."""
    if request.method == "POST":
        return create_request(request, fmt=fmt)
    return list_requests(request, fmt=fmt)


@_endpoint
def list_requests(request: AnyRequest, fmt: str) -> HttpResponse:
    params = request.GET
    region = _jurisdiction(params)
    rows = Complaint.objects.filter(region=region, channel=Channel.OPEN311).select_related("category", "unit")
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"一次最多查询 {MAX_IDS} 个 service_request_id。")
        rows = rows.filter(number__in=ids)
    else:  # the spec's default window: the last 90 days, at most 1000 requests
        codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
        if codes:
            rows = rows.filter(category_id__in=[actions.as_id(c) for c in codes])
        start, end = _date_param(params, "start_date"), _date_param(params, "end_date")
        if start is None and end is None:
            start = clock.now() - datetime.timedelta(days=90)
        if start:
            rows = rows.filter(received_at__gte=start)
        if end:
            rows = rows.filter(received_at__lte=end)
        statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, "status 应为 open、closed 或二者以逗号分隔。")
        if statuses == {"open"}:
            rows = rows.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            rows = rows.filter(state__in=CLOSED_STATES)
        rows = rows.order_by("-received_at")[:1000]
    return _render(fmt, "service_requests", "request", [_request_row(c) for c in rows])


@require_GET
@_endpoint
def get_request(request: AnyRequest, service_request_id: str, fmt: str) -> HttpResponse:
    region = _jurisdiction(request.GET)
    c = Complaint.objects.filter(region=region, number=service_request_id, channel=Channel.OPEN311).select_related(
        "category", "unit").first()
    if c is None:
        raise Open311Error(404, f"没有编号为 {service_request_id[:30]} 的诉求。")
    return _render(fmt, "service_requests", "request", [_request_row(c)])
