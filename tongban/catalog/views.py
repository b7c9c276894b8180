"""Catalogue pages: home with search and the 一件事 buttons, browse/search list, the item's guide, a life
event's page. Thin: queries only.

The item page is a guide a citizen can act on: where to go (every centre whose 区域通办专窗 receives it,
with address, hours, phone and a map link — only a link to a map search, nothing loaded from outside),
how many visits, fees, materials, limits, and the buttons 网上申请 / 预约办理 / 咨询 (a tel: link)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django_htmx.middleware import HtmxDetails

from tongban.catalog import search, themes
from tongban.catalog.actions import items_with_details
from tongban.catalog.filters import by_code, filter_items
from tongban.catalog.models import Channel, Department, Item, ItemClass, ItemType, Mode, Region, ServiceCentre
from tongban.core.typing import AnyRequest

PAGE_SIZE = 20


class HtmxRequest(AnyRequest):
    """A public page's request through django-htmx's middleware (settings.MIDDLEWARE): it has `htmx`."""

    htmx: HtmxDetails


class Filters(TypedDict):
    """The list's filters, from the query string: `filter_items`'s keywords, and the form's values."""

    department: int | None
    region: str | None
    item_class: str | None
    item_type: str | None
    mode: str | None


def home(request: AnyRequest) -> HttpResponse:
    counts = dict(Item.objects.values_list("item_class").annotate(n=Count("id")))
    centres = ServiceCentre.objects.select_related("region").prefetch_related("channels__region")
    return render(request, "catalog/home.html", {
        "total": sum(counts.values()),
        "convenience": counts.get(ItemClass.CONVENIENCE, 0),
        "government": counts.get(ItemClass.GOVERNMENT, 0),
        "centres": centres,
        "mobile": Channel.objects.filter(kind__in=["mobile", "bank"]).select_related("region"),
        "modes": Mode.values,
        "popular": ["社保", "医保", "公积金", "户籍", "营业执照", "异地就医", "结婚登记", "退休"],
        "themes": [(theme, n) for theme in themes.themes() if (n := len(search.theme_member_ids(theme)))],
    })


def _int(value: str | None) -> int | None:
    """A positive database id from a query parameter, or None (ignoring junk, "²" and huge numbers)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 18 else None


def item_list(request: HtmxRequest) -> HttpResponse:
    params = request.GET
    filters: Filters = {
        "department": _int(params.get("department")),
        "region": params.get("region") or None,
        "item_class": params.get("item_class") or None,
        "item_type": params.get("item_type") or None,
        "mode": params.get("mode") or None,
    }
    base = filter_items(Item.objects.all(), **filters)
    query = params.get("q", "").strip()
    result = None
    page: Page[int] | Page[Item]
    items: Iterable[Item]
    if query:
        result = search.search(query, base=base, limit=0)
        page = Paginator(result.ids, PAGE_SIZE).get_page(params.get("page"))
        items = search.fetch_items(list(page.object_list))
    else:
        page = Paginator(base.distinct().order_by(by_code()), PAGE_SIZE).get_page(params.get("page"))
        items = page.object_list
    context = {
        "page": page,
        "items": items,
        "query": query,
        "result": result,
        "filters": filters,
        "departments": Department.objects.select_related("region").annotate(n=Count("competences"))
        .filter(n__gt=0).order_by("region__code", "name"),
        "regions": Region.objects.filter(departments__isnull=False).distinct(),
        "classes": ItemClass.values,
        "types": ItemType.values,
        "modes": Mode.values,
        "candidates_cap": settings.CATALOG_SEARCH_CANDIDATES,
    }
    partial = request.htmx and request.htmx.target == "results"
    response = render(request, "catalog/_results.html" if partial else "catalog/item_list.html", context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


MAP_SEARCH = "https://uri.amap.com/search"  # 高德地图 URI API; a link only: the page loads nothing from outside


def map_link(address: str) -> str:
    """A map search for an address (opened by the citizen's own click)."""
    return f"{MAP_SEARCH}?{urlencode({'keyword': address})}" if address else ""


def item_detail(request: AnyRequest, code: str) -> HttpResponse:
    item = get_object_or_404(items_with_details(), code=code)
    competences = sorted(item.competences.all(), key=lambda c: c.region.code)
    # 区域通办: the 专窗 of every centre, in either region, receives the item.
    centres = list(ServiceCentre.objects.select_related("region").prefetch_related("channels__region")
                   .order_by("region__code", "name")) if item.via_window else []
    phone = next((c.phone for c in centres if c.phone), "")
    return render(request, "catalog/item_detail.html", {
        "item": item,
        "competences": competences,
        "centres": [(centre, map_link(centre.address)) for centre in centres],
        "consult_phone": phone or "12345",
        "materials": item.materials.all(),
        "other_channels": Channel.objects.filter(kind__in=["mobile", "bank"]).select_related("region"),
    })


def theme_detail(request: AnyRequest, slug: str) -> HttpResponse:
    """一件事: the event's items under each region that has a competent department for them."""
    theme = themes.by_slug(slug)
    if theme is None:
        raise Http404("没有这个一件事")
    ordered = {pk: i for i, pk in enumerate(search.theme_member_ids(theme))}
    items = sorted(items_with_details().filter(pk__in=ordered), key=lambda item: ordered[item.pk])
    groups: dict[str, tuple[Region, list]] = {}
    for item in items:
        for competence in item.competences.all():
            groups.setdefault(competence.region.code, (competence.region, []))[1].append((item, competence.department))
    return render(request, "catalog/theme.html", {
        "theme": theme,
        "items": items,
        "groups": [groups[code] for code in sorted(groups)],
    })
