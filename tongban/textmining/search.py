"""Catalogue search without the database: bigram tokens, field weights, ranking and "did you mean".

`tongban.catalog.search` runs the SQL (one GROUP BY over the stored tokens) and calls these; the
reasoning is in docs/search.md. Pure Python (+ rapidfuzz): no Django here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from rapidfuzz import fuzz

from tongban.textmining.synonyms import SYNONYMS

NAME_WEIGHT = 4
KEYWORD_WEIGHT = 3
CONTEXT_WEIGHT = 1  # department names, item type and class

# CJK unified ideographs (basic, extension A, compatibility, extensions B–H) and 〇
_CJK = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
MAX_QUERY_LENGTH = 100


class Indexable(Protocol):
    """What `item_tokens` reads of a catalogue item (tongban.catalog.models.Item has these fields)."""

    name: str
    keywords: str  # "；"-separated
    item_type: str
    item_class: str


def normalise(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def tokens(text: str) -> set[str]:
    """Bigrams of each CJK run; whole words for Latin letters and digits (cut to 8 characters)."""
    out: set[str] = set()
    for run in _RUN.findall(normalise(text)):
        if run[0].isascii():
            out.add(run[:8])
        elif len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _aliases(text: str) -> set[str]:
    """Plain words whose official terms appear in the text (see synonyms.py)."""
    found: set[str] = set()
    for plain, terms in SYNONYMS.items():
        if any(term in text for term in terms):
            found |= tokens(plain)
    return found


def item_tokens(item: Indexable, department_names: Iterable[str]) -> dict[str, int]:
    """Token → weight (the highest of the fields it occurs in)."""
    weighted: dict[str, int] = {}

    def add(text: str, weight: int) -> None:
        # A plain-word alias counts half: the item really named 营业执照… ranks above 企业设立登记.
        alias_weight = weight // 2
        for token, w in [(t, alias_weight) for t in _aliases(normalise(text))] + [(t, weight) for t in tokens(text)]:
            if w and weighted.get(token, 0) < w:
                weighted[token] = w

    add(item.name, NAME_WEIGHT)
    add(" ".join(item.keywords.split("；")), KEYWORD_WEIGHT)
    add(" ".join([*department_names, item.item_type, item.item_class]), CONTEXT_WEIGHT)
    return weighted


def parse_query(query: str) -> tuple[str, list[str], set[str]]:
    """(normalised text cut to MAX_QUERY_LENGTH, its white-space separated terms, their tokens)."""
    text = normalise(query)[:MAX_QUERY_LENGTH]
    terms = [t for t in re.split(r"\s+", text) if t]
    query_tokens: set[str] = set().union(*(tokens(t) for t in terms)) if terms else set()
    return text, terms, query_tokens


def meaningful(query_tokens: set[str]) -> set[str]:
    """Single characters next to longer terms add noise, not meaning: drop them (unless nothing else is left)."""
    return {t for t in query_tokens if len(t) > 1} or query_tokens


def needed_hits(query_tokens: set[str]) -> int:
    """An item must hit at least half the query's tokens — that half lets a typo ("营业执造") still find 营业执照."""
    return max(1, math.ceil(len(query_tokens) / 2))


def rank_key(row: Mapping[str, Any], terms: list[str]) -> tuple:
    """Deterministic order of scored rows (item_id, item__code, item__name, score, hits): more tokens hit,
    more whole terms in the name, higher weight, shorter name, then the code — identical on every database."""
    return (
        -row["hits"],
        -sum(term in normalise(row["item__name"]) for term in terms),
        -row["score"],
        len(row["item__name"]),
        row["item__code"],
    )


def suggest(text: str, words: Iterable[str]) -> str:
    """The closest known term to a query that matched only partly ("营业执造" → 营业执照).

    Words of about the query's length (synonyms, keywords, short names) are compared whole first;
    only when none is close does a longer item name that contains a close match win.
    """
    vocabulary: set[str] = set(SYNONYMS) | set(words)
    vocabulary.discard(text)
    short = sorted(t for t in vocabulary if len(t) <= len(text) + 2)
    long = sorted(t for t in vocabulary if len(t) > len(text) + 2)
    for terms, scorer, threshold in ((short, fuzz.ratio, 60), (long, fuzz.partial_ratio, 80)):
        best = max(terms, key=lambda t: scorer(text, t), default="")
        if best and scorer(text, best) >= threshold:
            return best
    return ""
