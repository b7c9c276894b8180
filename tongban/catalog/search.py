"""Search the catalogue in residents' words: the index of `tongban.textmining.search`, kept in step with the database.

Each process keeps one `Index` of every item (names, keywords, departments, type, class) and of the
administrators' vocabulary (检索词表). Before each search it asks the database for a stamp — the newest
item version and the newest vocabulary version, one cheap query each — and rebuilds the index when the
stamp moved (an import, an admin edit, a vocabulary change, on any process). Building takes about 0.1 s
for a thousand items and grows linearly (docs/search.md). The ranking happens in Python over rows read
in code order, so SQLite and PostgreSQL return the same list in the same order.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, QuerySet

from tongban.catalog import vocabulary
from tongban.catalog.models import Competence, Item, ItemVersion
from tongban.textmining.search import MAX_QUERY_LENGTH, Document, Index, Plan, Reason, normalise, suggest

# the best item must score at least this share of an ideal item's score (one that contains every query
# bigram the catalogue knows) for the result to count as a good answer; below it the page says so
GOOD_ENOUGH = 0.3

_lock = threading.Lock()
_cached: tuple[str, Index] | None = None


def _stamp() -> str:
    newest = ItemVersion.objects.aggregate(newest=Max("id"))["newest"]
    return f"{newest}|{vocabulary.stamp()}"


def build_index() -> Index:
    """Read every item (and its departments) and the vocabulary, and index them."""
    departments: dict[int, list[str]] = {}
    for item_id, name in Competence.objects.values_list("item_id", "department__name").order_by("pk"):
        departments.setdefault(item_id, []).append(name)
    documents = [
        Document(id=pk, code=code, name=name, keywords=[k for k in keywords.split("；") if k],
                 context=[*departments.get(pk, []), item_type, item_class])
        for pk, code, name, keywords, item_type, item_class in Item.objects.values_list(
            "pk", "code", "name", "keywords", "item_type", "item_class").iterator(chunk_size=5000)
    ]
    return Index(documents, vocabulary.load())


def current_index() -> Index:
    """This process's index, rebuilt first if the catalogue or the vocabulary changed since it was built."""
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, build_index())
        return _cached[1]


def forget() -> None:
    """Drop this process's index (tests: each test's database differs, the stamp may not)."""
    global _cached
    _cached = None


@dataclass
class SearchResult:
    query: str
    ids: list[int] = field(default_factory=list)  # every match, best first (at most CATALOG_SEARCH_CANDIDATES)
    items: list[Item] = field(default_factory=list)  # the first `limit` of them, loaded
    complete: bool = True  # the best match is a good answer (else the page offers help beside the closest)
    suggestion: str = ""  # "did you mean", when the answer is not good
    plan: Plan | None = None  # how the query was read (for `explain`)
    index: Index | None = None

    @property
    def total(self) -> int:
        return len(self.ids)

    def explain(self, item: Item) -> list[Reason]:
        """Why `item` matched: which tokens, from which word, synonym or sound, and how much each added."""
        if self.plan is None or self.index is None:
            return []
        return self.index.explain(self.plan, item.pk)


def fetch_items(ids: list[int]) -> list[Item]:
    """Items for ranked ids, in the same order."""
    found = Item.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def search(query: str, *, base: QuerySet[Item] | None = None, limit: int | None = 20) -> SearchResult:
    """Search the catalogue; `base` (a queryset) narrows the items considered (the page's filters).

    `limit` items are loaded into `result.items` (None: all); `result.ids` has every match, ranked,
    so a page can load just the items it shows.
    """
    text = normalise(query)[:MAX_QUERY_LENGTH]
    result = SearchResult(query=text)
    if not text:
        return result
    index = current_index()
    allowed = set(base.values_list("pk", flat=True)) if base is not None else None
    plan, matches = index.search(text, allowed=allowed, limit=settings.CATALOG_SEARCH_CANDIDATES)
    result.plan, result.index = plan, index
    result.ids = [m.id for m in matches]
    result.items = fetch_items(result.ids[:limit] if limit is not None else result.ids)
    ideal = index.best_possible(plan)
    result.complete = bool(matches) and (ideal == 0 or matches[0].score >= GOOD_ENOUGH * ideal)
    # "did you mean": when the answer is poor, or a short query has a word nobody knows (营业执造)
    if not result.complete or (len(plan.content.strip()) <= 6 and index.unknown(plan)):
        result.suggestion = suggest(text, [*index.words(), *(index.names[index.position[m.id]] for m in matches[:20])])
    return result
