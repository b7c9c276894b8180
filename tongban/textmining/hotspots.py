"""Duplicate and hot-issue detection for the 12345 hotline (接诉即办). Pure Python: no Django here.

Citizens send many messages about the same problem — the same 小区's parking fees, the same road's
night works, the same school's fees. This module

* groups similar messages (`group`): character 2–3-gram TF-IDF cosine, a time window, shared places;
* ranks the groups as hot issues (`hot_issues`) by size, recency and support (点赞 / 反对);
* on intake, finds the complaints a new text probably repeats (`find_similar`).

`Message.text` is "subject\ndetail" when the caller has both (留言主题 on the first line): the subject
names the problem while the detail drifts into the story around it, so it weighs more (see
SUBJECT_WEIGHT) and is what `HotIssue.title` shows. Masked administrative codes (A市, A3区, K8县,
西地省), which nearly every message carries, are removed before anything is compared.

The defaults below were tuned on a real export of 4,326 messages from one city's 2019 hotline
(../shared/data/hotline/hot_topics.csv, not in the repository): see `group` and benchmarks/hot_issues.py.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from os import PathLike

import numpy as np
from scipy import sparse

from tongban.textmining import places
from tongban.textmining.places import ADMIN_CODE

__all__ = ["Message", "HotIssue", "extract_place", "group", "hot_issues", "find_similar", "parse_time",
           "read_messages", "THRESHOLD", "PLACE_BONUS", "PLACE_CONFLICT", "WINDOW_DAYS"]

# Defaults (why: see `group` and `hot_issues`).
THRESHOLD = 0.4           # similarity that links two messages
PLACE_BONUS = 0.15        # … minus this when both name the same place
PLACE_CONFLICT = 0.25     # … plus this when both name places and none of them match
WINDOW_DAYS = 90          # two messages further apart than this are never linked
CENTROID_RATIO = 0.8      # two clusters merge only if their centroids' cosine ≥ this × the link's threshold
MAX_CLUSTER = 500         # hard cap on a cluster's size, a last guard against chaining
SUBJECT_WEIGHT = 0.5      # similarity = this × cos(subjects) + the rest × cos(subject ×2 + detail)
BODY_CHARS = 400          # only the start of the detail is compared
DETAIL_PLACE_CHARS = 200  # places are looked for in the subject and the start of the detail
MAX_DF = 0.05             # n-grams in more than this share of the messages (and over 100) name no topic
SUPPORT_WEIGHT = 0.25     # hot-issue score: weight of ln(1 + net likes)
AGAINST_WEIGHT = 0.5      # hot-issue score: a dislike cancels half a like
TITLE_CHARS = 40          # HotIssue.title is cut to this many characters

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Message:
    id: str
    text: str            # subject + detail (subject on the first line), or whatever the caller has
    time: datetime
    place: str = ""      # street/小区/road if the caller knows it; else extracted from the text
    support: int = 0     # likes (点赞数)
    against: int = 0     # dislikes (反对数)


@dataclass
class HotIssue:
    title: str           # the subject of the member closest to the group's centroid, truncated
    place: str           # the dominant place of the group ("" if none)
    member_ids: list[str]
    count: int
    first_seen: datetime
    last_seen: datetime
    support: int         # sum of likes
    score: float         # the ranking score (see `hot_issues`)
    against: int = 0     # sum of dislikes


# --------------------------------------------------------------------------------------------- text

# Masked administrative codes: A市, A3区, K8县, C5市, and the masked province 西地省 / 下地省.
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", ADMIN_CODE.sub(" ", text)).strip().lower()


def _split(text: str) -> tuple[str, str]:
    """(subject, detail): the first non-empty line and the rest; one-line texts have no detail."""
    lines = [line.strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "", ""
    return lines[0], " ".join(lines[1:])


@dataclass(frozen=True)
class _Parsed:
    subject: str          # the subject line as written (for titles)
    subject_key: str      # the subject cleaned for vectorising
    doc: str              # subject ×2 + the start of the detail, cleaned for vectorising
    place: str            # the message's place: Message.place, else extract_place
    stems: frozenset[str]  # every place the message names, as stems (see places.stems)


def _parse(message: Message) -> _Parsed:
    subject, detail = _split(message.text)
    key = _clean(subject)
    doc = f"{key} | {key} | {_clean(detail)[:BODY_CHARS]}" if detail else key
    found = [places.candidates(ADMIN_CODE.sub("，", part)) for part in (subject, detail[:DETAIL_PLACE_CHARS])]
    place = message.place.strip() or next((min(names)[3] for names in found if names), "")
    names = ([message.place] if message.place.strip() else []) + [c[3] for names in found for c in names]
    return _Parsed(subject, key, doc, place, places.stems(names))


def extract_place(text: str) -> str:
    """A place key from free text: the most specific named 小区/花园/苑/学校/村/社区/路/街… , else "".

    "A3区青松里小区停车难" → "青松里小区"; "K8县清水镇桂香村修路" → "桂香村". Masked administrative
    codes (A市, A3区, K8县, 西地省) are not places: "A市A3区" → "". The subject (first line) is searched
    first; the detail only when the subject names no place, and then only its first 200 characters.
    Among several names the more specific kind wins (estate > school, hospital, market > village,
    community > road), then the earliest. Estates named without a suffix (e.g. a bare brand name) are
    not recognised.
    """
    return _parse(Message(id="", text=text, time=datetime.min)).place


# ---------------------------------------------------------------------------------------- similarity

_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")


def _vectorise(docs: Sequence[str], *, max_df: float = MAX_DF) -> tuple[sparse.csr_matrix, np.ndarray]:
    """L2-normalised TF-IDF rows over character 2–3-grams, and which rows are non-empty.

    As sklearn's TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True): tf is
    1 + ln(count), idf is ln((1 + n) / (1 + df)) + 1 — except that n-grams never span punctuation or
    spaces and n-grams in more than max(`max_df` × n, 100) documents are dropped (they name no topic).
    An n-gram found in one document only counts in that row's norm but is then left out of the matrix:
    it could add to no dot product. Computed in numpy — each n-gram an integer code, one `np.unique`
    counts them all — which is several times faster than sklearn's Python tokeniser.
    """
    n = len(docs)
    parts = [_NOT_TEXT.sub("\0", doc.lower()) for doc in docs]
    chars = np.frombuffer(("\0".join(parts) + "\0").encode("utf-32-le"), dtype=np.uint32)
    row_of = np.repeat(np.arange(n, dtype=np.int64), [len(part) + 1 for part in parts])
    present = np.zeros(0x110000, dtype=np.int64)
    present[chars] = 1
    present[0] = 0
    alphabet = int(present.sum()) + 1
    ids = (np.cumsum(present) * present)[chars]          # 0 for the separator, 1.. for characters
    first, second, third = ids[:-2], ids[1:-1], ids[2:]
    bigram = (ids[:-1] > 0) & (ids[1:] > 0)
    trigram = bigram[:-1] & (third > 0)
    codes = np.concatenate([(ids[:-1] * alphabet + ids[1:])[bigram],
                            alphabet ** 2 + ((first * alphabet + second) * alphabet + third)[trigram]])
    rows = np.concatenate([row_of[:-1][bigram], row_of[:-2][trigram]])
    if len(codes) == 0:
        return sparse.csr_matrix((n, 0), dtype=np.float32), np.zeros(n, dtype=bool)
    if (alphabet ** 3 + alphabet ** 2) * n < 2 ** 62:
        keys, counts = np.unique(codes * n + rows, return_counts=True)   # sorted by n-gram, then row
        term_codes, rows = keys // n, keys % n
        cols = np.concatenate([[0], np.cumsum(term_codes[1:] != term_codes[:-1])])
    else:  # a huge alphabet × many documents: count (n-gram, row) pairs the slower way
        _, inverse = np.unique(codes, return_inverse=True)
        pairs, counts = np.unique(inverse.astype(np.int64).ravel() * n + rows, return_counts=True)
        cols, rows = pairs // n, pairs % n
    df = np.bincount(cols)
    used = (df <= max(max_df * n, 100))[cols]
    cols, rows, counts = cols[used], rows[used], counts[used]
    weights = (1.0 + np.log(counts)) * (np.log((1.0 + n) / (1.0 + df)) + 1.0)[cols]
    norms = np.sqrt(np.bincount(rows, weights=weights ** 2, minlength=n))
    shared = df[cols] >= 2
    column = np.cumsum(df >= 2) - 1                       # n-gram → its column among the shared ones
    values = weights[shared] / norms[rows[shared]]
    matrix = sparse.csr_matrix((values.astype(np.float32), (rows[shared], column[cols[shared]])),
                               shape=(n, int((df >= 2).sum())))
    return matrix, norms > 0


def _vectors(parsed: Sequence[_Parsed]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """One row per message whose dot products are SUBJECT_WEIGHT × cos(subjects) + (1 − SUBJECT_WEIGHT) ×
    cos(subject ×2 + detail): the two TF-IDF matrices side by side, scaled by the weights' square roots.
    Also each row's full squared norm (1, or less for an empty part), which the stored row — without its
    unshared n-grams — no longer has."""
    subjects, has_subject = _vectorise([p.subject_key for p in parsed])
    docs, has_doc = _vectorise([p.doc for p in parsed])
    norms = SUBJECT_WEIGHT * has_subject + (1.0 - SUBJECT_WEIGHT) * has_doc
    matrix = sparse.hstack([subjects * np.float32(math.sqrt(SUBJECT_WEIGHT)),
                            docs * np.float32(math.sqrt(1.0 - SUBJECT_WEIGHT))], format="csr", dtype=np.float32)
    return matrix, norms


def _days(times: Sequence[datetime]) -> np.ndarray:
    if not times:
        return np.zeros(0)
    base = min(times)
    return np.array([(t - base).total_seconds() / SECONDS_PER_DAY for t in times])


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i


def _edges(matrix: sparse.csr_matrix, days: np.ndarray, stems: Sequence[frozenset[str]], *, threshold: float,
           place_bonus: float, place_conflict: float, window_days: float,
           chunk: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All pairs i < j whose similarity reaches their pair's threshold: (i, j, similarity, threshold).

    Each chunk of rows is multiplied by the rows from its own start on (sparse products: the upper
    triangle, one chunk × n block at a time), so memory stays small and no Python loop runs over all
    pairs — only the pairs already similar enough for the lowest threshold have their places compared.
    """
    n = matrix.shape[0]
    low = threshold - place_bonus
    out = []
    for start in range(0, n, chunk):
        block = (matrix[start:start + chunk] @ matrix[start:].T).tocoo()  # the upper triangle only
        rows, cols, sims = block.row + start, block.col + start, block.data
        keep = (cols > rows) & (sims >= low)
        rows, cols, sims = rows[keep], cols[keep], sims[keep]
        keep = np.abs(days[rows] - days[cols]) <= window_days
        out.append((rows[keep], cols[keep], sims[keep]))
    rows = np.concatenate([o[0] for o in out]).astype(np.int64)
    cols = np.concatenate([o[1] for o in out]).astype(np.int64)
    sims = np.concatenate([o[2] for o in out]).astype(np.float32)
    needed = np.full(len(sims), threshold, dtype=np.float32)
    for e, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        relation = places.relation(stems[i], stems[j])
        if relation:
            needed[e] = low if relation > 0 else threshold + place_conflict
    keep = sims >= needed
    return rows[keep], cols[keep], sims[keep], needed[keep]


def _link(matrix: sparse.csr_matrix, norms: np.ndarray, edges, *, centroid_ratio: float,
          max_cluster: int) -> list[list[int]]:
    """Single linkage over `edges`, strongest first, refusing merges that would chain unrelated messages.

    Two clusters joined by an edge merge only when the cosine of their centroids is at least
    `centroid_ratio` × the edge's threshold and their joint size is at most `max_cluster`.
    """
    n = matrix.shape[0]
    rows_i, rows_j, sims, needed = edges
    uf = _UnionFind(n)
    members: dict[int, list[int]] = {}
    sums: dict[int, tuple[sparse.csr_matrix, float]] = {}  # root → (sum of its rows, squared norm of the sum)

    def centroid(root: int) -> tuple[sparse.csr_matrix, float]:
        if root not in sums:
            sums[root] = (matrix[root], float(norms[root]))
        return sums[root]

    for e in np.argsort(-sims, kind="stable"):
        a, b = uf.find(int(rows_i[e])), uf.find(int(rows_j[e]))
        if a == b:
            continue
        size_a, size_b = len(members.get(a, (a,))), len(members.get(b, (b,)))
        if size_a + size_b > max_cluster:
            continue
        (sum_a, norm_a), (sum_b, norm_b) = centroid(a), centroid(b)
        if size_a == 1 and size_b == 1:
            dot = float(sims[e])  # two single rows: their dot product is the link itself
        else:
            dot = float(sum_a.multiply(sum_b).sum())
            if dot < centroid_ratio * needed[e] * math.sqrt(norm_a * norm_b):
                continue
        if size_a < size_b:
            a, b = b, a
        uf.parent[b] = a
        members[a] = members.pop(a, [a]) + members.pop(b, [b])
        sums[a] = (sum_a + sum_b, norm_a + norm_b + 2.0 * dot)
        sums.pop(b, None)
    clusters = [sorted(m) for m in members.values()]
    grouped = {i for m in clusters for i in m}
    clusters += [[i] for i in range(n) if i not in grouped]
    clusters.sort(key=lambda m: (-len(m), m[0]))
    return clusters


def group(messages: Sequence[Message], *, threshold: float = THRESHOLD, window_days: float = WINDOW_DAYS,
          place_bonus: float = PLACE_BONUS, place_conflict: float = PLACE_CONFLICT,
          centroid_ratio: float = CENTROID_RATIO, max_cluster: int = MAX_CLUSTER) -> list[list[int]]:
    """Clusters of indices into `messages`: every index exactly once, biggest cluster first.

    Similarity of two messages = SUBJECT_WEIGHT × cosine of their subjects + the rest × cosine of
    "subject ×2 + the first BODY_CHARS of the detail", each a TF-IDF over character 2–3-grams
    (sublinear tf, admin codes removed; see `_vectorise`). Two messages are linked when their times are
    at most `window_days` apart and their similarity reaches

    * `threshold` − `place_bonus` when they name a common place (`Message.place` or any 小区/学校/村/路…
      name in the subject or the start of the detail; 红枫新城 and 红枫新城小区 match),
    * `threshold` + `place_conflict` when both name places and none match (the same complaint copied
      for another estate is another issue),
    * `threshold` otherwise.

    Links are merged strongest first (single linkage, union-find), but two clusters join only when the
    cosine of their centroids is at least `centroid_ratio` × the link's threshold and the result has at
    most `max_cluster` members, so a chain of each-a-bit-like-the-next messages cannot grow into one
    giant cluster. The time window applies to pairs: a cluster may span longer than `window_days`.

    Defaults, from reading samples of ~30 pairs per similarity band in 4,326 real messages (2019):
    with no place known, pairs at 0.40–0.45 are ~90 % the same complaint (reworded, or the same person
    again), at 0.35–0.40 ~85 %, the rest sharing only a template ("加快…建设" about two projects); for
    the same place, pairs at 0.25–0.30 are ~80 % the same problem, at 0.20–0.25 only half (same estate,
    another problem); different places above 0.65 are nearly always one complaint whose place was
    extracted differently, below that often one template sent for two estates. A 30-day window split
    campaigns that ran for two or three months (on 15 keyword-labelled campaigns the share of each in
    its largest group fell from 0.72 to 0.54); 180 days gained little. The centroid guard changes
    nothing on that data (no chaining at these thresholds) but splits artificial chains.
    Cost: one sparse product per chunk of 512 rows against the rows below it; 5,000 messages group in
    about 1.5–2.5 s on 2 cores, most of it vectorising and the products.
    """
    return _group(messages, threshold=threshold, window_days=window_days, place_bonus=place_bonus,
                  place_conflict=place_conflict, centroid_ratio=centroid_ratio, max_cluster=max_cluster)[0]


def _group(messages: Sequence[Message], *, threshold: float = THRESHOLD, window_days: float = WINDOW_DAYS,
           place_bonus: float = PLACE_BONUS, place_conflict: float = PLACE_CONFLICT,
           centroid_ratio: float = CENTROID_RATIO,
           max_cluster: int = MAX_CLUSTER) -> tuple[list[list[int]], sparse.csr_matrix, np.ndarray, list[_Parsed]]:
    """`group`, and the vectors, their full squared norms and the parsed messages it compared."""
    parsed = [_parse(m) for m in messages]
    if not messages:
        return [], sparse.csr_matrix((0, 0), dtype=np.float32), np.zeros(0), parsed
    matrix, norms = _vectors(parsed)
    edges = _edges(matrix, _days([m.time for m in messages]), [p.stems for p in parsed], threshold=threshold,
                   place_bonus=place_bonus, place_conflict=place_conflict, window_days=window_days)
    clusters = _link(matrix, norms, edges, centroid_ratio=centroid_ratio, max_cluster=max_cluster)
    return clusters, matrix, norms, parsed


# ---------------------------------------------------------------------------------------- hot issues

def _score(count: int, support: int, against: int, age_days: float, half_life_days: float) -> float:
    net = max(0.0, support - AGAINST_WEIGHT * against)
    decay = 0.5 ** (max(age_days, 0.0) / half_life_days)
    return math.log1p(count) * (1.0 + SUPPORT_WEIGHT * math.log1p(net)) * decay


def hot_issues(messages: Sequence[Message], *, now: datetime | None = None, min_count: int = 2,
               half_life_days: float = 30, **group_kw) -> list[HotIssue]:
    """The groups of at least `min_count` messages (see `group`), hottest first.

        score = ln(1 + count) × (1 + 0.25 × ln(1 + max(0, likes − 0.5 × dislikes))) × 0.5 ^ (age / half_life_days)

    * count is logarithmic: the 20th message about a problem adds less than the 2nd did;
    * likes and dislikes are summed over the group; support multiplies the count term, so 1,000 net
      likes weigh about ×2.7 but a much-liked message alone is no issue (min_count);
    * age is the days from the group's last message to `now`, which defaults to the latest message's
      time, so a historical export is ranked as of its own end rather than as of today; an issue
      nobody raised for one half-life counts half.

    `title` is the subject of the member nearest the group's centroid (cut to TITLE_CHARS), `place` the
    most common place among the members. Ties go to the bigger group, then by title. `group_kw` goes to
    `group` (threshold, window_days, …).
    """
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    if not messages:
        return []
    if now is None:
        now = max(m.time for m in messages)
    clusters, matrix, norms, parsed = _group(messages, **group_kw)
    clusters = [c for c in clusters if len(c) >= max(min_count, 1)]
    issues = []
    for cluster in clusters:
        members = [messages[i] for i in cluster]
        rows = matrix[cluster]
        # Each member's dot product with the group's sum; its own term uses the full norm (see _vectors).
        to_centre = rows @ np.asarray(rows.sum(axis=0)).ravel() - np.asarray(rows.multiply(rows).sum(axis=1)).ravel()
        closest = cluster[int(np.argmax(to_centre + norms[cluster]))]
        title = parsed[closest].subject[:TITLE_CHARS]
        named = Counter(parsed[i].place for i in cluster if parsed[i].place)
        support = sum(m.support for m in members)
        against = sum(m.against for m in members)
        first, last = min(m.time for m in members), max(m.time for m in members)
        age = (now - last).total_seconds() / SECONDS_PER_DAY
        issues.append(HotIssue(title=title, place=named.most_common(1)[0][0] if named else "",
                               member_ids=[m.id for m in members], count=len(members), first_seen=first,
                               last_seen=last, support=support, against=against,
                               score=_score(len(members), support, against, age, half_life_days)))
    issues.sort(key=lambda issue: (-issue.score, -issue.count, issue.title))
    return issues


# ------------------------------------------------------------------------------------------- intake

def find_similar(new_text: str, new_time: datetime, candidates: Sequence[Message], *, place: str = "",
                 k: int = 3, threshold: float = THRESHOLD, window_days: float = WINDOW_DAYS,
                 place_bonus: float = PLACE_BONUS, place_conflict: float = PLACE_CONFLICT) -> list[tuple[str, float]]:
    """On intake: the ids of the `k` candidates the new complaint most likely duplicates, best first.

    The same rule as `group` links a pair: cosine ≥ `threshold` (− `place_bonus` for the same place,
    + `place_conflict` for different places) and at most `window_days` apart. Returns
    [(candidate id, similarity rounded to 3 places)], or [] when nothing is close enough. The vectoriser
    is fitted on the candidates plus the new text, so pass the recent complaints (a few thousand at most).
    """
    if not new_text.strip():
        return []
    window = window_days * SECONDS_PER_DAY
    recent = [m for m in candidates if abs((m.time - new_time).total_seconds()) <= window]
    if not recent:
        return []
    parsed = [_parse(Message(id="", text=new_text, time=new_time, place=place))] + [_parse(m) for m in recent]
    matrix, _ = _vectors(parsed)
    sims = (matrix[1:] @ matrix[0].T).toarray().ravel()
    found = []
    for candidate, other, sim in zip(recent, parsed[1:], sims, strict=True):
        relation = places.relation(parsed[0].stems, other.stems)
        needed = threshold + (-place_bonus if relation > 0 else place_conflict if relation < 0 else 0.0)
        if sim >= needed:
            found.append((candidate.id, round(float(sim), 3)))
    found.sort(key=lambda pair: -pair[1])
    return found[:k]


# --------------------------------------------------------------------------------------------- input

_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d",
                 "%Y-%m-%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y-%m-%dT%H:%M:%S")


def parse_time(value: str) -> datetime:
    """A 12345 export timestamp: "2019/2/28 11:25:05", "2019-08-28 09:30:20", "2019年2月28日" …"""
    value = _SPACES.sub(" ", value.strip().replace("\u3000", " "))
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"unrecognised time: {value!r}") from None


def read_messages(path: str | PathLike) -> list[Message]:
    """Messages from a 12345 export CSV (留言编号, 留言主题, 留言时间, 留言详情, 反对数, 点赞数; UTF-8).

    The text is subject + newline + detail. Rows whose time cannot be parsed are skipped.
    """
    def number(value: str | None) -> int:
        try:
            return int(float(value or 0))
        except ValueError:
            return 0

    messages = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                time = parse_time(row.get("留言时间") or "")
            except ValueError:
                continue
            text = f"{(row.get('留言主题') or '').strip()}\n{(row.get('留言详情') or '').strip()}"
            messages.append(Message(id=(row.get("留言编号") or "").strip(), text=text, time=time,
                                    support=number(row.get("点赞数")), against=number(row.get("反对数"))))
    return messages
