"""一件事: a life event (a child born, a death in the family, opening a shop) and the items it usually takes.

When a query names an event (给孩子上户口 names 新生儿出生), the results page shows the event's items above
the ranked list, in the order people do them. The events are a shipped file, `data/themes.tsv`: each has
trigger words and its members, each member written as a search for its official name. `tongban.catalog.search`
resolves the members against this catalogue; a member with no good match is left out, so the same file
serves any region's catalogue.

Each event also has a page, `/themes/<slug>/`, listing its items under each region with that region's
competent department, and the home page shows the events as large buttons (the file's order). The
issue's list (出生, 入学, 就业, 结婚, 开办餐饮店, 退休, 身后事) comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tongban.textmining.search import normalise

THEMES_FILE = Path(__file__).resolve().parent / "data" / "themes.tsv"


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str
    triggers: tuple[str, ...]
    members: tuple[str, ...]


@cache
def themes() -> tuple[Theme, ...]:
    """The shipped events (none when the file is missing)."""
    if not THEMES_FILE.is_file():
        return ()
    out: list[Theme] = []
    lines = [line for line in THEMES_FILE.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for line in lines[1:]:  # after the header
        slug, name, triggers, members = (line.split("\t") + ["", "", ""])[:4]
        out.append(Theme(slug.strip(), name.strip(), tuple(normalise(t) for t in triggers.split("|") if t.strip()),
                         tuple(m.strip() for m in members.split("|") if m.strip())))
    return tuple(out)


def by_slug(slug: str) -> Theme | None:
    return next((theme for theme in themes() if theme.slug == slug), None)


def fitting(query: str) -> Theme | None:
    """The event a query names: the one with the longest trigger in it (ties: the file's order)."""
    text = normalise(query)
    best: tuple[int, Theme] | None = None
    for theme in themes():
        length = max((len(t) for t in theme.triggers if t in text), default=0)
        if length and (best is None or length > best[0]):
            best = (length, theme)
    return best[1] if best else None
