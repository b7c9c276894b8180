"""Sounds of Chinese characters for search: homophone typos (身分证, 注消) and queries typed in pinyin (shebao).

Toneless Hanyu pinyin from pypinyin, the usual reading of each character, so a bigram has a key
("残疾" → "can ji") that a mistyped 残急 shares. `syllables(text)` cuts a run of Latin letters into pinyin
syllables ("gongjijin" → gong ji jin) or says it is not pinyin (None). No Django here.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import product

from pypinyin import Style, pinyin
from pypinyin.constants import PINYIN_DICT

_TONE_MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


def _toneless(reading: str) -> str:
    return reading.translate(_TONE_MARKS)


@cache
def readings(char: str) -> tuple[str, ...]:
    """The usual toneless reading of one character (() for anything that is not a Chinese character).

    Only the usual one: with every reading, 籍 (ji) and 家 (jia, and rarely jie) would meet in "jie"."""
    if not ("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"):
        return ()
    found = pinyin(char, style=Style.NORMAL, heteronym=False, errors="ignore")
    return tuple(sorted({r for r in (found[0] if found else []) if r.isalpha()}))


def keys(word: str, limit: int = 8) -> set[str]:
    """Sound keys of a word ("社保" → {"she bao"}); several when a character has several readings."""
    options = [readings(c) for c in word]
    if not all(options):
        return set()
    out: set[str] = set()
    for combo in product(*options):
        out.add(" ".join(combo))
        if len(out) >= limit:
            break
    return out


@cache
def _syllable_set() -> frozenset[str]:
    out: set[str] = set()
    for value in PINYIN_DICT.values():
        for reading in value.split(","):
            plain = _toneless(reading.strip())
            if plain.isascii() and plain.isalpha():
                out.add(plain)
    out.discard("")
    return frozenset(out)


_LETTERS = re.compile(r"[a-z]+")


def syllables(letters: str) -> list[str] | None:
    """Cut Latin letters into the fewest pinyin syllables ("yiliaobaoxian" → yi liao bao xian), or None."""
    if not _LETTERS.fullmatch(letters) or len(letters) > 60:
        return None
    known = _syllable_set()
    n = len(letters)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            piece = letters[start:end]
            if head is not None and piece in known and len(piece) > (1 if piece not in {"a", "e", "o"} else 0):
                candidate = [*head, piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[n]


_NEAR = [(re.compile(pattern), plain) for pattern, plain in (
    (r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"^n", "l"), (r"^f", "h"),
    (r"ing$", "in"), (r"eng$", "en"), (r"ang$", "an"),
)]


def near(key: str) -> str:
    """A key with the sounds many speakers do not tell apart merged (n/l, zh/z, ch/c, sh/s, f/h,
    -ing/-in, -eng/-en, -ang/-an), as 四川 and 河北 residents often type them: "liu ye" ≈ "niu ye"."""
    out = []
    for syllable in key.split(" "):
        for pattern, plain in _NEAR:
            syllable = pattern.sub(plain, syllable)
        out.append(syllable)
    return " ".join(out)
