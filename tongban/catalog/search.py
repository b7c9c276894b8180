"""Chinese search over the catalogue: bigram tokens, portable SQL scoring, deterministic re-ranking.

How a query runs (docs/search.md has the reasoning):
1. normalise (NFKC, lower case) and cut into bigram tokens; a one-character query falls back to a
   substring scan of item names;
2. one GROUP BY over `SearchToken` scores every item that shares tokens with the query (sum of field
   weights, number of distinct tokens hit) and keeps items that hit at least half the tokens — that
   half is what lets a typo ("营业执造") still find 营业执照;
3. the best `CATALOG_SEARCH_CANDIDATES` are re-ranked in Python by a fixed key, ties broken by item
   code, so SQLite and PostgreSQL return the same list in the same order;
4. when nothing covers the whole query, rapidfuzz proposes a "did you mean" from the candidates'
   names, their keywords and the synonym table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Length

from tongban.catalog.filters import by_code
from tongban.catalog.models import Item, SearchToken
from tongban.textmining.search import item_tokens, meaningful, needed_hits, parse_query, rank_key, suggest


def reindex(items: Iterable[Item]) -> int:
    """Rebuild the search tokens of these items (in the caller's transaction). Returns token count."""
    items = list(items)
    ids = [item.pk for item in items]
    departments: dict[int, list[str]] = {pk: [] for pk in ids}
    from tongban.catalog.models import Competence  # local: keep the module's public imports small

    for item_id, dept_name in Competence.objects.filter(item_id__in=ids).values_list(
        "item_id", "department__name"
    ):
        departments[item_id].append(dept_name)
    rows = [
        SearchToken(item_id=item.pk, token=token, weight=weight)
        for item in items
        for token, weight in sorted(item_tokens(item, departments[item.pk]).items())
    ]
    with transaction.atomic():
        SearchToken.objects.filter(item_id__in=ids).delete()
        SearchToken.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass
class SearchResult:
    query: str
    ids: list[int] = field(default_factory=list)  # every match, best first (at most CATALOG_SEARCH_CANDIDATES)
    items: list[Item] = field(default_factory=list)  # the first `limit` of them, loaded
    complete: bool = True  # some result covers every token of the query
    suggestion: str = ""  # "did you mean", when nothing covers the whole query

    @property
    def total(self) -> int:
        return len(self.ids)


def fetch_items(ids: list[int]) -> list[Item]:
    """Items for ranked ids, in the same order."""
    found = Item.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def search(query: str, *, base: QuerySet[Item] | None = None, limit: int | None = 20) -> SearchResult:
    """Search the catalogue; `base` (a queryset) narrows the items considered (the page's filters).

    `limit` items are loaded into `result.items` (None: all); `result.ids` has every match, ranked,
    so a page can load just the items it shows.
    """
    text, terms, query_tokens = parse_query(query)
    result = SearchResult(query=text)
    if not query_tokens:
        return result
    if len(query_tokens) == 1 and len(next(iter(query_tokens))) == 1:
        return _substring_search(next(iter(query_tokens)), base, result, limit)
    query_tokens = meaningful(query_tokens)
    needed = needed_hits(query_tokens)
    scored = (
        SearchToken.objects.filter(token__in=query_tokens)
        .values("item_id", "item__code", "item__name", "item__keywords")
        .annotate(score=Sum("weight"), hits=Count("id"))
        .filter(hits__gte=needed)
    )
    if base is not None:
        scored = scored.filter(item__in=base.values("pk"))
    rows = list(scored.order_by("-hits", "-score", by_code("item__code"))[: settings.CATALOG_SEARCH_CANDIDATES])
    rows.sort(key=lambda row: rank_key(row, terms))
    result.ids = [row["item_id"] for row in rows]
    result.items = fetch_items(result.ids[:limit] if limit is not None else result.ids)
    result.complete = bool(rows) and rows[0]["hits"] == len(query_tokens)
    if not result.complete:
        vocabulary = [row["item__name"] for row in rows[:20]]
        vocabulary += [k for row in rows[:20] for k in row["item__keywords"].split("；") if k]
        result.suggestion = suggest(text, vocabulary)
    return result


def _substring_search(char: str, base, result: SearchResult, limit: int | None) -> SearchResult:
    # icontains: case-insensitive on both databases (SQLite's LIKE is, PostgreSQL's is not)
    qs = (base if base is not None else Item.objects.all()).filter(name__icontains=char)
    result.ids = list(qs.order_by(Length("name"), by_code()).values_list("pk", flat=True)
                      [: settings.CATALOG_SEARCH_CANDIDATES])
    result.items = fetch_items(result.ids[:limit] if limit is not None else result.ids)
    result.complete = bool(result.ids)
    return result
