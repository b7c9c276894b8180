"""Catalogue search in residents' words, without the database.

Residents type 给刚生的娃儿上户口, 个体护注消, shebao — not official item names. An `Index` over the
catalogue's items answers them in three steps (docs/search.md has the reasoning and the figures):

1. **Read the query** (`Index.plan`): NFKC and lower case; filler words (怎么, 需要, 去哪, 了 …) are cut
   out; what is left becomes character bigrams (weight 1) and single characters (weight 0.2). Then it
   is widened with groups of alternatives (an item scores the best alternative of each group), each
   remembering why (for `explain`):
   - **vocabulary**: an everyday word or abbreviation in the query (娃儿, 个体户, 新农合) is one group
     whose alternatives are its official terms (the administrators' vocabulary, `catalog.vocabulary`);
   - **sound**: a bigram the catalogue does not know adds the bigrams of the same pinyin that it does
     know (注消 → 注销, 残急 → 残疾); a Latin run that is pinyin (shebao, gong ji jin) adds the bigrams
     and vocabulary words of those syllables;
   - **abbreviation**: a bigram also matches the first and third characters of a longer name
     (医保 ≈ 医疗保险, 社保 ≈ 社会保障), derived from the catalogue itself.
2. **Score** every item with BM25 (k1 1.2, b 0.75): a token weighs more the rarer it is in the
   catalogue (idf, learned from the catalogue), a name counts fully, words in brackets of a name
   (（县级行使）) 0.3, keywords 0.7, departments, type and class 0.15. An item needs no share of the
   query's characters: a query can be mostly noise and still find its item.
3. **Rank** by score, then shorter name, then item code: the same list on every database, because the
   index is built in Python from the same rows in code order.

Pure Python + NumPy + pypinyin + rapidfuzz; no Django here (`tongban.catalog.search` builds and caches it).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from tongban.textmining import pinyin

MAX_QUERY_LENGTH = 100
K1 = 1.2
B = 0.75

NAME_WEIGHT = 1.0
BRACKET_WEIGHT = 0.3  # （县级行使）, (新办): what the item is stays outside the brackets
KEYWORD_WEIGHT = 0.7
CONTEXT_WEIGHT = 0.15  # department names, item type and class

UNIGRAM_WEIGHT = 0.2  # single characters: a little help for typos and one-character words
VOCABULARY_WEIGHT = 0.8
SOUND_WEIGHT = 0.8  # a bigram the catalogue does not know, replaced by one that sounds the same
SOUND_WEIGHT_KNOWN = 0.35  # the same for a bigram the catalogue knows (公正 → 公证)
NEAR_SOUND_WEIGHT = 0.5  # an unknown bigram, replaced by one of a near sound (n/l, zh/z, -ing/-in …)
ABBREVIATION_WEIGHT = 0.5
ABBREVIATION_MARK = "~"  # token namespace of the skip-bigrams (first + third character)
# an item scoring less than this share of the best item's score is noise (a shared character, a department)
RELATIVE_CUTOFF = 0.2
UNKNOWN_SHARE = 0.5  # see Index.best_possible
TERM_BIGRAMS = 2  # a vocabulary term weighs at most like this many query bigrams (see Index._alternative)

# Words that carry no meaning in a request for a service. Cut out of the query before it is tokenised,
# longest first. Words that are part of item names but say nothing (办理, 申请) are here too: the
# resident's 办理 says nothing about which item they want. Edit with care: a word here can never be searched.
FILLERS = tuple(sorted({
    "怎么办", "怎么样", "怎么", "怎样", "如何", "咋个", "咋办", "咋", "啥子", "啥", "什么", "哪些", "哪个", "哪里",
    "哪儿", "哪", "在哪儿", "在哪里", "在哪", "去哪儿", "去哪里", "去哪", "到哪里", "到哪", "找哪个", "找哪",
    "找谁", "能不能", "能否", "可不可以", "可以", "是否", "需要", "需不需要", "要不要", "要办", "要去", "应该",
    "请问", "我想", "我要", "想要", "我们", "我的", "一下", "有没有", "办理", "办个", "手续", "流程",
    "材料", "多久", "多少钱", "在线", "网上", "吗", "呢", "吧", "啊", "呀", "嘛", "了", "的", "？", "?",
    # Single characters stay out unless they never carry meaning: 地 (土地), 就 (就业), 过 (过户), 才 (人才),
    # 给 (给付) would break words. A leftover 想 or 要 only makes bigrams the catalogue does not know.
}, key=lambda w: (-len(w), w)))
# 怎么办 and 咋办 end in 办: before 理 (怎么办理) they are 怎么 + 办理, both fillers
_FILLER_RE = re.compile("|".join(re.escape(w) + ("(?!理)" if w.endswith("办") else "") for w in FILLERS))

# CJK unified ideographs (basic, extension A, compatibility, extensions B–H) and 〇
_CJK = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def normalise(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def runs(text: str) -> list[str]:
    """Runs of Chinese characters, and runs of Latin letters and digits, of normalised text."""
    return _RUN.findall(normalise(text))


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def tokens(text: str) -> set[str]:
    """Bigrams of each Chinese run (a lone character stays whole); whole Latin/digit words (cut to 12)."""
    out: set[str] = set()
    for run in runs(text):
        out.update([run[:12]] if run[0].isascii() else bigrams(run))
    return out


# ---- documents ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One searchable item: its database id, code and the texts that describe it."""

    id: int
    code: str
    name: str
    keywords: Sequence[str] = ()
    context: Sequence[str] = ()  # department names, item type, item class


def document_tokens(doc: Document) -> dict[str, float]:
    """Token → field-weighted frequency of one document (what BM25 calls tf)."""
    tf: dict[str, float] = defaultdict(float)

    def add(text: str, weight: float, *, abbreviations: bool = False) -> None:
        for run in runs(text):
            if run[0].isascii():
                tf[run[:12]] += weight
                continue
            for token in bigrams(run):
                tf[token] += weight
            for char in set(run) if len(run) > 1 else ():
                tf[char] += weight * UNIGRAM_WEIGHT
            if abbreviations:
                for i in range(len(run) - 2):
                    tf[ABBREVIATION_MARK + run[i] + run[i + 2]] += weight

    name = normalise(doc.name)
    add(_BRACKETS.sub(" ", name), NAME_WEIGHT, abbreviations=True)
    for part in _BRACKETS.findall(name):
        add(part, BRACKET_WEIGHT)
    for keyword in doc.keywords:
        add(keyword, KEYWORD_WEIGHT, abbreviations=True)
    for text in doc.context:
        add(text, CONTEXT_WEIGHT)
    return dict(tf)


# ---- queries -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One thing the query asks for, and the ways an item can have it. An item scores the best of the
    alternatives (a vocabulary word's official terms are alternatives: 丢了 → 补领 *or* 挂失, not both),
    each alternative the sum of its tokens."""

    via: str  # for people: "查询词：户口", "词表：社保 → 社会保险", "同音：注消 → 注销", "拼音：shebao", "简称：医保"
    weight: float
    alternatives: tuple[tuple[str, ...], ...]


@dataclass
class Plan:
    text: str  # the normalised query
    content: str  # the text with its filler words blanked out (same length, so positions agree)
    groups: dict[str, Group] = field(default_factory=dict)
    # the query's own bigrams, and whether a vocabulary word covers them (娃儿 is asked for via 出生)
    asked: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, key: str, weight: float, via: str, alternatives: Iterable[Iterable[str]]) -> None:
        alts = tuple(dict.fromkeys(tuple(a) for a in alternatives if a))
        known = self.groups.get(key)
        if alts and (known is None or known.weight < weight):
            self.groups[key] = Group(via, weight, alts)


@dataclass(frozen=True)
class Match:
    id: int
    score: float


@dataclass(frozen=True)
class Reason:
    token: str
    via: str
    score: float


class Index:
    """BM25 over the catalogue's bigrams, with the query widened by vocabulary, sound and abbreviations.

    Build it once for a catalogue and vocabulary (`tongban.catalog.search` rebuilds it when either changes);
    `search` and `explain` only read it, so one index serves concurrent requests."""

    def __init__(self, documents: Iterable[Document], vocabulary: Mapping[str, Sequence[str]] | None = None):
        docs = sorted(documents, key=lambda d: d.code)
        self.ids = np.array([d.id for d in docs], dtype=np.int64)
        self.codes = [d.code for d in docs]
        self.names = [d.name for d in docs]
        self.position = {d.id: i for i, d in enumerate(docs)}
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        lengths = np.zeros(len(docs), dtype=np.float64)
        for i, doc in enumerate(docs):
            tf = document_tokens(doc)
            lengths[i] = max(1.0, sum(w for t, w in tf.items() if len(t) == 2 and t[0] != ABBREVIATION_MARK))
            for token, weight in tf.items():
                rows, weights = postings[token]
                rows.append(i)
                weights.append(weight)
        self.size = len(docs)
        pinyin.syllables("a")  # load the syllable table now, not in the first pinyin query
        average = float(lengths.mean()) if self.size else 1.0
        self._norm = K1 * (1 - B + B * lengths / average)
        self._idf = {t: math.log(1 + (self.size - len(r) + 0.5) / (len(r) + 0.5)) for t, (r, _) in postings.items()}
        self._gains: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for token, (row_list, weight_list) in postings.items():
            at, freq = np.array(row_list, dtype=np.int64), np.array(weight_list, dtype=np.float64)
            self._gains[token] = (at, self._idf[token] * freq * (K1 + 1) / (freq + self._norm[at]))
        self.token_count = len(self._gains)
        self.vocabulary = {normalise(w): tuple(normalise(t) for t in terms if normalise(t))
                           for w, terms in (vocabulary or {}).items() if normalise(w)}
        self._words_by_length = sorted(self.vocabulary, key=lambda w: (-len(w), w))
        self._words: list[str] | None = None
        self._vocabulary_bigrams = {t for w in self.vocabulary for run in runs(w) for t in bigrams(run)}
        self.memo: dict[str, object] = {}  # what callers derive from this index alone (the life events' items)
        self._words_by_first: dict[str, list[str]] = defaultdict(list)  # longest first within each
        for word in self._words_by_length:
            self._words_by_first[word[0]].append(word)
        self._sounds: dict[str, set[str]] = defaultdict(set)  # "zhu xiao" → {注销}: bigrams the catalogue knows
        self._near_sounds: dict[str, set[str]] = defaultdict(set)  # the same under `pinyin.near` keys
        for token in self._gains:
            if len(token) == 2 and token[0] != ABBREVIATION_MARK:
                for key in pinyin.keys(token):
                    self._sounds[key].add(token)
                    self._near_sounds[pinyin.near(key)].add(token)
        self._word_sounds: dict[str, set[str]] = defaultdict(set)  # "shebao" → {社保}: vocabulary words
        for word in self.vocabulary:
            for key in pinyin.keys(word):
                self._word_sounds[key.replace(" ", "")].add(word)
            for token in bigrams(word) if not word.isascii() else ():
                for key in pinyin.keys(token):  # 执找 → 执照 of the word 营业执照
                    self._sounds[key].add(token)

    # -- the query --

    def plan(self, query: str) -> Plan:
        text = normalise(query)[:MAX_QUERY_LENGTH]
        content = _FILLER_RE.sub(lambda m: " " * len(m.group()), text)
        plan = Plan(text=text, content=content)
        covered = self._expand(plan, text)
        chinese = [run for run in runs(content) if not run[0].isascii()]
        latin = [run for run in runs(content) if run[0].isascii()]
        for found in _RUN.finditer(content):
            run = found.group()
            if run[0].isascii():
                continue
            for i, token in enumerate(bigrams(run)):
                at = found.start() + i
                plan.asked.append((token, any(covered[at:at + len(token)])))
                plan.add(token, 1.0, f"查询词：{token}", [[token]])
                if len(token) == 2:
                    self._sound_alikes(plan, token)
                    plan.add(ABBREVIATION_MARK + token, ABBREVIATION_WEIGHT, f"简称：{token}",
                             [[ABBREVIATION_MARK + token]])
            if len(run) > 1:
                for char in set(run):
                    plan.add(char, UNIGRAM_WEIGHT, f"查询字：{char}", [[char]])
        self._pinyin(plan, latin)
        # the query with its filler words taken out, not blanked: 改了名字 → 改名字, a vocabulary word
        for variant in [_FILLER_RE.sub("", text), *self._respelled(chinese)]:
            self._expand(plan, variant)
        return plan

    def _sound_alikes(self, plan: Plan, token: str) -> None:
        known = token in self._gains or token in self.vocabulary
        weight = SOUND_WEIGHT_KNOWN if known else SOUND_WEIGHT
        for key in pinyin.keys(token):
            others = sorted(o for o in self._sounds.get(key, ()) if o != token and o in self._gains)
            if others:
                plan.add(f"同音：{token}", weight, f"同音：{token} → {'、'.join(others[:5])}", [[o] for o in others])
            elif not known:
                near = sorted(o for o in self._near_sounds.get(pinyin.near(key), ()) if o != token)
                if near:
                    plan.add(f"近音：{token}", NEAR_SOUND_WEIGHT, f"近音：{token} → {'、'.join(near[:5])}",
                             [[o] for o in near])

    def _respelled(self, chinese: list[str]) -> list[str]:
        """The query's Chinese runs with a bigram the catalogue does not know replaced by a homophone that it
        or the vocabulary knows (设保卡 → 社保卡), so that vocabulary words typed with a wrong character match."""
        out: list[str] = []
        for run in chinese:
            for i in range(len(run) - 1):
                token = run[i:i + 2]
                if token in self._gains or token in self.vocabulary:
                    continue
                for key in pinyin.keys(token):
                    for other in sorted(self._sounds.get(key, ()))[:3]:
                        out.append(run[:i] + other + run[i + 2:])
        return out[:20]

    def _pinyin(self, plan: Plan, latin: list[str]) -> None:
        letters = [run for run in latin if run.isalpha()]
        for run in latin:
            plan.add(run[:12], 1.0, f"查询词：{run[:12]}", [[run[:12]]])
        # "gong ji jin" is one word typed with spaces: join the runs that are all pinyin
        joined = "".join(letters)
        for chunk in sorted(({joined} | set(letters)) if joined else set()):
            cut = pinyin.syllables(chunk)
            if not cut or len(cut) < 2:
                continue
            for word in sorted(self._word_sounds.get(chunk, ())):
                self._expand_word(plan, word, f"拼音：{chunk} → {word}")
            for i in range(len(cut) - 1):
                found = sorted(t for t in self._sounds.get(f"{cut[i]} {cut[i + 1]}", ()) if t in self._gains)
                if found:
                    plan.add(f"拼音：{cut[i]}{cut[i + 1]}", 1.0, f"拼音：{cut[i]}{cut[i + 1]} → {'、'.join(found[:5])}",
                             [[t] for t in found] + [[ABBREVIATION_MARK + t] for t in found])

    def _expand(self, plan: Plan, text: str) -> list[bool]:
        """Vocabulary words in the text, longest first and not overlapping (社保卡, not also 社保 inside it),
        also slightly mistyped (see `_occurrences`). Returns which characters of the text they cover."""
        taken = [False] * len(text)
        candidates = {w for c in set(text) for w in self._words_by_first.get(c, ())}
        for word in sorted(candidates, key=lambda w: (-len(w), w)):
            for start, end in _occurrences(word, text):
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    self._expand_word(plan, word, f"词表：{word}")
        return taken

    def _expand_word(self, plan: Plan, word: str, via: str) -> None:
        terms = self.vocabulary.get(word, ())
        alternatives = [[t[:12]] if t.isascii() else [b for run in runs(t) for b in bigrams(run)] for t in terms]
        plan.add(f"词表：{word}", VOCABULARY_WEIGHT, f"{via} → {'、'.join(terms)}", alternatives)

    # -- scoring --

    def _gain(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, BM25 gain of the token in each row): precomputed when the index is built."""
        return self._gains.get(token)

    def _alternative(self, alternative: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """Rows and score of one alternative: the sum of its tokens' gains, a long term (社会保障卡, four
        bigrams) scaled to weigh like two query bigrams, so that a term is one thing asked for, not many."""
        parts = [g for g in (self._gain(t) for t in alternative) if g is not None]
        scale = _term_scale(alternative)
        if len(parts) <= 1:
            return (parts[0][0], parts[0][1] * scale) if parts else None
        rows, inverse = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
        return rows, np.bincount(inverse, weights=np.concatenate([p[1] for p in parts])) * scale

    def scores(self, plan: Plan) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.float64)
        for group in plan.groups.values():
            found = [a for a in (self._alternative(alt) for alt in group.alternatives) if a is not None]
            if len(found) == 1:
                total[found[0][0]] += group.weight * found[0][1]
            elif found:
                best = np.zeros(self.size, dtype=np.float64)
                for rows, gain in found:  # rows are unique within an alternative
                    best[rows] = np.maximum(best[rows], gain)
                total += group.weight * best
        return total

    def search(self, query: str, *, allowed: set[int] | None = None, limit: int = 200) -> tuple[Plan, list[Match]]:
        """The best `limit` items for `query`, best first: those scoring at least `RELATIVE_CUTOFF` of the best;
        `allowed` (item ids) narrows the items considered (the page's filters)."""
        plan = self.plan(query)
        if not plan.groups or not self.size:
            return plan, []
        total = self.scores(plan)
        if allowed is not None:
            mask = np.zeros(self.size, dtype=bool)
            mask[[self.position[i] for i in allowed if i in self.position]] = True
            total[~mask] = 0.0
        top = float(total.max())
        if top <= 0:
            return plan, []
        candidates = np.flatnonzero(total >= top * RELATIVE_CUTOFF)
        if len(candidates) > limit * 4:
            cut = np.argpartition(-total[candidates], limit * 4)[: limit * 4]
            candidates = candidates[cut]
        ranked = sorted(candidates.tolist(), key=lambda i: (-round(float(total[i]), 9), len(self.names[i]),
                                                            self.codes[i]))[:limit]
        return plan, [Match(int(self.ids[i]), float(total[i])) for i in ranked]

    def best_possible(self, plan: Plan) -> float:
        """The yardstick for "good enough": the score of an item that has, once, every bigram of the query
        that no vocabulary word stands for. A bigram no item has counts half the rarest token's weight: a
        query made of words the catalogue does not know (火星移民签证) has no good answer."""
        rarest = max(self._idf.values(), default=0.0)
        return sum(self._idf.get(t, UNKNOWN_SHARE * rarest) for t, inside in plan.asked if len(t) == 2 and not inside)

    def explain(self, plan: Plan, item_id: int) -> list[Reason]:
        """Why an item matched: for each part of the query, the tokens of it the item contains (the best
        alternative), where it came from, and what it added."""
        i = self.position.get(item_id)
        if i is None:
            return []
        out: list[Reason] = []
        for group in plan.groups.values():
            best: tuple[float, list[str]] = (0.0, [])
            for alternative in group.alternatives:
                gained, hit = 0.0, []
                for token in alternative:
                    gain = self._gain(token)
                    if gain is None:
                        continue
                    at = int(np.searchsorted(gain[0], i))
                    if at < len(gain[0]) and gain[0][at] == i:
                        gained += float(gain[1][at])
                        hit.append(token.lstrip(ABBREVIATION_MARK))
                gained *= _term_scale(alternative)
                if gained > best[0]:
                    best = (gained, hit)
            if best[0] > 0:
                out.append(Reason("、".join(best[1]), group.via, round(group.weight * best[0], 3)))
        return sorted(out, key=lambda r: (-r.score, r.token))

    def unknown(self, plan: Plan) -> list[str]:
        """Query bigrams that neither the catalogue nor the vocabulary knows (a typo, or a word of no item)."""
        return [t for t, g in plan.groups.items() if g.via.startswith("查询词") and len(t) == 2
                and t not in self._gains and t not in self._vocabulary_bigrams]

    def words(self) -> list[str]:
        """Known words for "did you mean": the vocabulary's words and terms."""
        if self._words is None:
            self._words = sorted(set(self.vocabulary) | {t for terms in self.vocabulary.values() for t in terms})
        return self._words


def _term_scale(alternative: tuple[str, ...]) -> float:
    """A long vocabulary term (社会保障卡, four bigrams) weighs like TERM_BIGRAMS query bigrams at most."""
    return min(1.0, TERM_BIGRAMS / len(alternative))


def _occurrences(word: str, text: str) -> list[tuple[int, int]]:
    """Where `word` stands in `text` (start, end): exactly; else, for a word of 3+ characters, with one
    character inserted (注册个公司 for 注册公司); else, for a word of 4+ characters, with one character
    other than the first mistyped (营业执造 for 营业执照)."""
    found: list[tuple[int, int]] = []
    start = text.find(word)
    while start >= 0:
        found.append((start, start + len(word)))
        start = text.find(word, start + 1)
    if found or len(word) < 3:
        return found
    for cut in range(2, len(word)):
        head, tail = word[:cut], word[cut:]
        at = text.find(head)
        while at >= 0:
            if text[at + cut:at + cut + 1] not in ("", " ") and text.startswith(tail, at + cut + 1):
                found.append((at, at + len(word) + 1))
            at = text.find(head, at + 1)
    if found or len(word) < 4:
        return found
    at = text.find(word[0])
    while at >= 0:
        window = text[at:at + len(word)]
        if len(window) == len(word) and sum(a != b for a, b in zip(window, word, strict=True)) == 1 \
                and " " not in window:
            found.append((at, at + len(word)))
        at = text.find(word[0], at + 1)
    return found


def suggest(text: str, words: Iterable[str]) -> str:
    """The closest known term to a query that matched only partly ("营业执造" → 营业执照).

    Words of about the query's length (vocabulary, keywords, short names) are compared whole first;
    only when none is close does a longer item name that contains a close match win.
    """
    vocabulary: set[str] = set(words)
    vocabulary.discard(text)
    short = sorted(t for t in vocabulary if len(t) <= len(text) + 2)
    long = sorted(t for t in vocabulary if len(t) > len(text) + 2)
    for terms, scorer, threshold in ((short, fuzz.ratio, 60), (long, fuzz.partial_ratio, 80)):
        best = max(terms, key=lambda t: scorer(text, t), default="")
        if best and scorer(text, best) >= threshold:
            return best
    return ""
