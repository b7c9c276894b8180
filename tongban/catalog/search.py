"""Search the catalogue in residents' words: the index of `tongban.textmining.search`, kept in step with the database.

Each process keeps one `Index` of every item (names, keywords, departments, type, class) and of the
administrators' vocabulary (检索词表). It is rebuilt when the catalogue or the vocabulary changed:
- a write in this process (an import, an admin save, a vocabulary edit) is seen by the next search;
- a write in another process is seen within `FRESH_SECONDS`: at most that often, a search asks the
  database for a stamp (the newest item version and vocabulary version, two cheap queries) and
  rebuilds when it moved.
Building takes about half a second for a thousand items and grows linearly (docs/search.md). The
ranking happens in Python over rows read in code order, so SQLite and PostgreSQL return the same list
in the same order.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, QuerySet

from tongban.catalog import themes, vocabulary
from tongban.catalog.models import Competence, Item, ItemVersion
from tongban.textmining.search import MAX_QUERY_LENGTH, Document, Index, Plan, Reason, normalise, suggest

# the best item must score at least this share of an ideal item's score (`Index.best_possible`) for the
# result to count as a good answer; below it the page says so and offers help
GOOD_ENOUGH = 0.3

FRESH_SECONDS = 1.0  # how stale another process's change may be at most
MEMBER_GOOD = 0.75  # a member of a life event must match its official name closely (see _theme_members)
SUGGEST_UP_TO = 8  # characters of a query (fillers blanked) for which a "did you mean" is sought


@dataclass
class _Cached:
    stamp: str
    local: tuple[int, int]  # (item writes, vocabulary writes) of this process when last checked
    checked: float  # time.monotonic() of the last stamp check
    index: Index


_lock = threading.Lock()
_cached: _Cached | None = None
_item_writes = 0


def changed() -> None:
    """Items were written in this process (catalog.actions calls it): the next search rebuilds."""
    global _item_writes
    _item_writes += 1


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
    local = (_item_writes, vocabulary.generation())
    now = time.monotonic()
    cached = _cached
    if cached is not None and cached.local == local and now - cached.checked < FRESH_SECONDS:
        return cached.index
    stamp = _stamp()
    with _lock:
        cached = _cached
        if cached is None or cached.stamp != stamp or cached.local != local:
            cached = _cached = _Cached(stamp, local, now, build_index())
        cached.checked = now
        return cached.index


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
    theme: str = ""  # the life event (一件事) the query names, shown above the items with `theme_items`
    theme_items: list[Item] = field(default_factory=list)
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
    # "did you mean", for a short query only (a sentence gets the help box instead): when the answer is
    # poor, or the query has a word nobody knows (营业执造)
    theme = themes.fitting(text)
    if theme is not None:
        members = _theme_members(index, theme)
        if members:
            result.theme, result.theme_items = theme.name, fetch_items(members)
    short = len(plan.content.strip()) <= SUGGEST_UP_TO
    if short and (not result.complete or index.unknown(plan)):
        result.suggestion = suggest(text, [*index.words(), *(index.names[index.position[m.id]] for m in matches[:20])])
    return result


def theme_member_ids(theme: themes.Theme) -> list[int]:
    """The ids of the event's items in this catalogue, in the event's order (its page and the home page).
    Memoised per index: no query once the index is built."""
    return list(_theme_members(current_index(), theme))


def _theme_members(index: Index, theme: themes.Theme) -> list[int]:
    """The event's items this catalogue has: for each member, its best match if that is a good answer.
    Worked out once per index (it depends on the catalogue, not on the query)."""
    key = f"theme:{theme.name}"
    known = index.memo.get(key)
    if isinstance(known, list):
        return known
    found: list[int] = []
    for member in theme.members:
        plan, matches = index.search(member, limit=1)
        if matches and matches[0].score >= MEMBER_GOOD * index.best_possible(plan) and matches[0].id not in found:
            found.append(matches[0].id)
    index.memo[key] = found
    return found
