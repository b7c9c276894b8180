"""Learned dispatch for the 12345 hotline: which category a new complaint belongs to, learned from the
hotline's own labelled history. Pure Python + NumPy/SciPy/scikit-learn (+ jieba); no Django here.

The model (chosen by stratified cross-validation on real hotline messages; numbers in
`benchmarks/dispatch.py`):

* A text is "subject\ndetail": the first line is the subject, the rest the detail. A text without a
  newline is all subject. Masked place codes of the anonymised data ("A市", "A3区", "K8县" → "市", "区",
  "县") and runs of white space are normalised away (neutral in cross-validation, and more robust: such
  codes say nothing about a category). Salutations ("尊敬的…领导：您好！") are kept: removing them cost
  about half a point of macro-F1 — who a letter addresses says something about its subject.
* Four TF-IDF views (sublinear tf), each L2-normalised and weighted, side by side: subject character
  1–3-grams, subject jieba words (weight 0.5), detail character 1–3-grams (first 2,000 characters) and
  detail jieba words + word bigrams (first 300 characters). Keeping the subject apart from the detail is
  the largest single gain: a long detail no longer drowns the subject.
* Features are hashed (`HashingVectorizer`, 2**22 buckets per view; fast, no Python vocabulary loop),
  then only the buckets seen in at least `min_df` training texts are kept (at most `max_features` per
  view, the most frequent), so the model stores a sorted array of kept bucket ids instead of a vocabulary
  of strings, and its size stays bounded.
* Classifier: NB-SVM (Wang & Manning 2012) — per class, a linear SVM on the features scaled by the naive
  Bayes log-count ratio of that class, one against the rest, with balanced class weights (small
  categories are not swamped; macro-F1 is what we are judged on). It beat plain LinearSVC (with or
  without class weights), LogisticRegression, SGD (modified Huber), ridge and complement NB on both
  subject-only and subject+detail inputs.
* Confidences: softmax of the per-class SVM scores with one temperature fitted (log-loss) on out-of-fold
  scores (3-fold; 2-fold for very small and for large sets). A single parameter cannot overfit tiny
  classes, and classes with a single example never break it (a class missing from a fold simply scores
  low there). The confidences of all labels of one message sum to 1, so any top-k sums to at most 1.

Serialisation: `dumps()` writes a magic header, a format version, a JSON document (labels, meta,
parameters) and an `.npz` archive of plain numeric arrays. `loads()` checks the header and version first
and then reads the arrays with `allow_pickle=False`: no pickle is ever unpickled, so a foreign or corrupt
blob is rejected with `ModelFormatError` rather than executed. Still, models are only ever loaded from our
own database rows and files.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import re
import struct
import threading
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from tongban.textmining.errors import ModelFormatError, TrainingError
from tongban.textmining.tables import read_table  # noqa: F401  (re-exported: classifier.read_table)

ALGORITHM = "nbsvm-hashed-tfidf-4view"
MAGIC = b"TONGBAN-DISPATCH"  # 16 bytes
FORMAT_VERSION = 1
_HEADER = struct.Struct(">HI")  # format version, length of the JSON document
N_FEATURES = 2**22  # hash buckets per view
SVM_C = 1.0
SVM_TOL = 1e-3  # as accurate as 1e-4 in cross-validation (identical predictions), ~25 % faster
NB_ALPHA = 1.0
SMALL_CORPUS = 500  # below this many texts every view keeps features seen once (min_df=1)
_ABSENT_SCORE = -2.0  # out-of-fold score of a class that had no example in that fold's training part


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float  # 0..1; the confidences of all labels of one message sum to 1


@dataclass(frozen=True)
class View:
    """One block of features: which field, characters or words, n-gram range, pruning and weight."""

    name: str
    field: str  # "subject" | "detail"
    kind: str  # "char" | "word"
    ngram: tuple[int, int]
    min_df: int
    weight: float
    max_chars: int | None = None  # only the first max_chars characters of the field
    max_features: int | None = None  # keep at most this many features (the most frequent), bounding model size


VIEWS: tuple[View, ...] = (
    View("subject_char", "subject", "char", (1, 3), min_df=2, weight=1.0, max_features=100_000),
    View("subject_word", "subject", "word", (1, 1), min_df=1, weight=0.5, max_features=50_000),
    View("detail_char", "detail", "char", (1, 3), min_df=2, weight=1.0, max_chars=2000, max_features=300_000),
    View("detail_word", "detail", "word", (1, 2), min_df=2, weight=1.0, max_chars=300, max_features=150_000),
)

# --------------------------------------------------------------------------------------------------------
# Text preparation

_WS = re.compile(r"[\s\u3000\xa0\ufeff]+")
_PLACE_CODE = re.compile(r"(?<![A-Za-z])[A-Z]\d{0,2}(?=[省市区县镇乡村])")
_WORD_CHAR = re.compile(r"\w")

_jieba_lock = threading.Lock()
_jieba_tokenizer = None
jieba_load_seconds: float | None = None  # how long the first (lazy) load of jieba's dictionary took


def _jieba():
    """Our own jieba tokenizer (unaffected by any global `jieba.add_word`), loaded on first use, quietly."""
    global _jieba_tokenizer, jieba_load_seconds
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                started = time.perf_counter()
                import jieba

                jieba.setLogLevel(logging.WARNING)  # it logs "Building prefix dict…" to stderr otherwise
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                jieba_load_seconds = time.perf_counter() - started
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


def clean(text: str) -> str:
    """Normalise white space and drop the letter+digit part of masked place codes ("A3区" → "区")."""
    return _PLACE_CODE.sub("", _WS.sub(" ", text)).strip()


def split_text(text: str) -> tuple[str, str]:
    """(subject, detail): the first line and the rest, each cleaned."""
    subject, _, detail = (text or "").partition("\n")
    return clean(subject), clean(detail)


def _words(text: str, bigrams: bool) -> list[str]:
    tokens = [t for t in _jieba().lcut(text.lower(), HMM=False) if _WORD_CHAR.search(t)]
    if bigrams and len(tokens) > 1:
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return tokens


def _hasher(view: View):
    from sklearn.feature_extraction.text import HashingVectorizer

    common = {"n_features": N_FEATURES, "alternate_sign": False, "norm": None, "dtype": np.float32}
    if view.kind == "char":
        return HashingVectorizer(analyzer="char", ngram_range=tuple(view.ngram), lowercase=True, **common)
    bigrams = view.ngram[1] >= 2
    return HashingVectorizer(analyzer=lambda doc: _words(doc, bigrams), **common)


def _field_texts(view: View, subjects: Sequence[str], details: Sequence[str]) -> list[str]:
    texts = subjects if view.field == "subject" else details
    return [t[: view.max_chars] for t in texts] if view.max_chars else list(texts)


def _block(counts: sp.csr_matrix, cols: np.ndarray, idf: np.ndarray, weight: float):
    """One view's part of the feature matrix as (row, column, value) arrays: only the hashed columns in `cols`
    (sorted; renumbered 0..len(cols)-1), sublinear tf × idf, each row L2-normalised, times the view weight.

    Plain NumPy on the hashed CSR's arrays: one sparse matrix is built at the end for all views, which keeps
    a single prediction at a couple of milliseconds."""
    counts.sum_duplicates()
    n = counts.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(counts.indptr))
    if len(cols) == 0 or counts.nnz == 0:
        return rows[:0], rows[:0], np.zeros(0, dtype=np.float32)
    pos = np.minimum(np.searchsorted(cols, counts.indices), len(cols) - 1)
    keep = cols[pos] == counts.indices
    rows, pos = rows[keep], pos[keep]
    values = (np.log(counts.data[keep], dtype=np.float32) + np.float32(1.0)) * idf[pos]
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
    norms[norms == 0] = 1.0
    values *= (weight / norms[rows]).astype(np.float32)
    return rows, pos.astype(np.int32), values


def _matrix(n_rows: int, blocks: list, widths: list[int]) -> sp.csr_matrix:
    offsets = np.cumsum([0, *widths])
    rows = np.concatenate([b[0] for b in blocks])
    cols = np.concatenate([b[1] + offsets[i] for i, b in enumerate(blocks)])
    values = np.concatenate([b[2] for b in blocks])
    return sp.csr_matrix((values, (rows, cols)), shape=(n_rows, int(offsets[-1])), dtype=np.float32)


# --------------------------------------------------------------------------------------------------------
# The model


class Classifier:
    """A trained dispatch model. Build with `train()` or `Classifier.loads()`."""

    def __init__(self, labels: list[str], meta: dict, views: list[View], columns: list[np.ndarray],
                 idfs: list[np.ndarray], coef: np.ndarray, intercept: np.ndarray, temperature: float):
        self.labels = list(labels)
        self.meta = meta
        self._views = views
        self._columns = columns
        self._idfs = idfs
        self._coef = np.ascontiguousarray(coef, dtype=np.float32)  # (n_features, n_classes)
        self._intercept = np.asarray(intercept, dtype=np.float32)
        self._temperature = float(temperature)
        self._hashers = [_hasher(v) for v in views]
        self._subject_only = not any(v.field == "detail" for v in views)

    def __repr__(self) -> str:
        return f"<Classifier {len(self.labels)} labels, {self.meta.get('n_samples')} samples, {ALGORITHM}>"

    # prediction ----------------------------------------------------------------------------------------

    def _features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return _transform(self._views, self._hashers, self._columns, self._idfs, texts, self._subject_only)

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        x = self._features(texts)
        scores = np.asarray(x @ self._coef) + self._intercept
        return _softmax(scores * self._temperature)

    def predict_many(self, texts: Sequence[str], k: int = 1) -> list[list[Suggestion]]:
        """Top-k suggestions for each text (one list per text, in order), best first."""
        if not texts:
            return []
        k = max(1, min(int(k), len(self.labels)))
        probs = self._probabilities(list(texts))
        top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        return [[Suggestion(self.labels[j], float(row[j])) for j in idx] for row, idx in zip(probs, top, strict=True)]

    def predict_top(self, text: str, k: int = 3) -> list[Suggestion]:
        """The k most likely labels for one text ("subject\\ndetail" or just a subject), best first."""
        return self.predict_many([text], k=k)[0]

    # serialisation -------------------------------------------------------------------------------------

    def dumps(self) -> bytes:
        doc = {"labels": self.labels, "meta": self.meta, "views": [_view_dict(v) for v in self._views],
               "temperature": self._temperature, "n_features": N_FEATURES}
        arrays: dict[str, Any] = {"coef": self._coef, "intercept": self._intercept}
        for i, (cols, idf) in enumerate(zip(self._columns, self._idfs, strict=True)):
            arrays[f"columns_{i}"] = cols
            arrays[f"idf_{i}"] = idf
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        body = json.dumps(doc, ensure_ascii=False).encode()
        return MAGIC + _HEADER.pack(FORMAT_VERSION, len(body)) + body + buf.getvalue()

    @classmethod
    def loads(cls, data: bytes | memoryview) -> Classifier:
        """Read a model written by `dumps()`. Raises `ModelFormatError` on anything else.

        Only load models from our own database rows and files; the format holds no pickle (arrays are read
        with allow_pickle=False), and the header and version are checked before anything is parsed."""
        data = bytes(data)
        head = len(MAGIC) + _HEADER.size
        if len(data) < head or not data.startswith(MAGIC):
            raise ModelFormatError("这不是通办派单模型文件（文件头不符）。")
        version, json_len = _HEADER.unpack_from(data, len(MAGIC))
        if version != FORMAT_VERSION:
            raise ModelFormatError(
                f"派单模型格式版本 {version} 不受支持（本程序读取版本 {FORMAT_VERSION}），请重新训练。")
        try:
            doc = json.loads(data[head:head + json_len].decode())
            with np.load(io.BytesIO(data[head + json_len:]), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            views = [View(**{**v, "ngram": tuple(v["ngram"])}) for v in doc["views"]]
            if doc["n_features"] != N_FEATURES:
                raise ValueError("n_features")
            columns = [arrays[f"columns_{i}"] for i in range(len(views))]
            idfs = [arrays[f"idf_{i}"] for i in range(len(views))]
            coef, intercept, labels = arrays["coef"], arrays["intercept"], [str(x) for x in doc["labels"]]
            if (coef.shape != (sum(len(c) for c in columns), len(labels)) or intercept.shape != (len(labels),)
                    or any(len(c) != len(i) for c, i in zip(columns, idfs, strict=True))):
                raise ValueError("shapes")
            return cls(labels, doc["meta"], views, columns, idfs, coef, intercept, float(doc["temperature"]))
        except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise ModelFormatError(f"派单模型文件已损坏或不完整：{type(exc).__name__}") from exc


def _view_dict(view: View) -> dict:
    d = asdict(view)
    d["ngram"] = list(view.ngram)
    return d


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _transform(views, hashers, columns, idfs, texts, subject_only: bool) -> sp.csr_matrix:
    if subject_only:
        subjects, details = [clean(t or "") for t in texts], [""] * len(texts)
    else:
        subjects, details = map(list, zip(*(split_text(t) for t in texts), strict=True))
    blocks = []
    for view, hasher, cols, idf in zip(views, hashers, columns, idfs, strict=True):
        counts = hasher.transform(_field_texts(view, subjects, details))
        blocks.append(_block(counts.tocsr(), cols, idf, view.weight))
    return _matrix(len(texts), blocks, [len(c) for c in columns])


# --------------------------------------------------------------------------------------------------------
# Training


def _prepare(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str], int]:
    if texts is None or labels is None or len(texts) == 0:
        raise TrainingError("没有训练数据：文本列表为空。")
    if len(texts) != len(labels):
        raise TrainingError(f"文本与类别数量不一致：{len(texts)} 条文本，{len(labels)} 个类别。")
    kept_t, kept_l = [], []
    for text, label in zip(texts, labels, strict=True):
        text = "" if text is None else str(text)
        label = "" if label is None else str(label).strip()
        if text.strip() and label:
            kept_t.append(text)
            kept_l.append(label)
    if not kept_t:
        raise TrainingError("去掉空文本和空类别后没有剩下任何训练样本。")
    n_classes = len(set(kept_l))
    if n_classes < 2:
        only = kept_l[0]
        raise TrainingError(f"训练数据只有一个类别（“{only}”）：至少需要两个类别才能学习派单。")
    return kept_t, kept_l, len(texts) - len(kept_t)


def _fit_views(texts: list[str], n_samples: int):
    subjects, details = map(list, zip(*(split_text(t) for t in texts), strict=True))
    subject_only = not any(details)  # then a newline in a text to predict is not a subject/detail boundary
    if subject_only:
        subjects = [clean(t) for t in texts]
    views, hashers, columns, idfs, blocks = [], [], [], [], []
    for view in VIEWS:
        if subject_only and view.field == "detail":
            continue
        min_df = view.min_df if n_samples >= SMALL_CORPUS else 1
        hasher = _hasher(view)
        counts = hasher.transform(_field_texts(view, subjects, details)).tocsr()
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=N_FEATURES)
        cols = np.flatnonzero(df >= min_df)
        if view.max_features and len(cols) > view.max_features:
            cols = np.sort(cols[np.lexsort((cols, -df[cols]))[: view.max_features]])
        cols = cols.astype(np.int32)
        if len(cols) == 0:
            continue
        idf = (np.log((1 + n_samples) / (1 + df[cols])) + 1).astype(np.float32)
        views.append(View(**{**asdict(view), "min_df": min_df}))
        hashers.append(hasher)
        columns.append(cols)
        idfs.append(idf)
        blocks.append(_block(counts, cols, idf, view.weight))
    if not blocks:
        raise TrainingError("训练文本中没有可用的字词特征（文本太短或全是标点）。")
    return views, hashers, columns, idfs, _matrix(len(texts), blocks, [len(c) for c in columns])


def _fit_nbsvm(x: sp.csr_matrix, y: np.ndarray, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest NB-SVM. Returns (coef (n_features × n_classes), intercept); the NB ratio is folded into coef.

    The per-class SVMs run in threads (liblinear releases the GIL). A class without any example in `y` gets
    zero weights and an intercept of _ABSENT_SCORE."""
    from sklearn.svm import LinearSVC

    x = x.astype(np.float64)  # liblinear's own type: converted once here, not once per class
    x.sort_indices()
    present = x.copy()
    present.data[:] = 1.0
    onehot = sp.csr_matrix((np.ones(len(y)), (y, np.arange(len(y)))), shape=(n_classes, len(y)))
    totals = np.asarray((onehot @ present).todense())  # (n_classes, n_features): texts of class c with feature j
    all_total = totals.sum(axis=0)
    coef = np.zeros((x.shape[1], n_classes), dtype=np.float32)
    intercept = np.full(n_classes, _ABSENT_SCORE, dtype=np.float32)
    counts = np.bincount(y, minlength=n_classes)
    sample_weight = class_weights(counts)[y]

    def fit_one(c: int) -> None:
        positive = y == c
        if not positive.any() or positive.all():
            return
        p = NB_ALPHA + totals[c]
        q = NB_ALPHA + (all_total - totals[c])
        r = np.log(p / p.sum()) - np.log(q / q.sum())
        scaled = x.copy()
        scaled.data *= r[scaled.indices]
        svm = LinearSVC(C=SVM_C, tol=SVM_TOL, random_state=seed)
        svm.fit(scaled, positive.astype(np.int8), sample_weight=sample_weight)
        coef[:, c] = svm.coef_.ravel() * r
        intercept[c] = svm.intercept_[0]

    workers = max(1, min(n_classes, os.cpu_count() or 1, 4))
    if workers == 1:
        for c in range(n_classes):
            fit_one(c)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fit_one, range(n_classes)))
    return coef, intercept


def class_weights(counts: np.ndarray) -> np.ndarray:
    """Balanced class weights n / (k · n_c), clipped to [0.1, 10] so a class with one example cannot dominate."""
    present = counts > 0
    weights = np.ones(len(counts))
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return np.clip(weights, 0.1, 10.0)


def _scores(x: sp.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    return np.asarray(x @ coef) + intercept


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The inverse temperature t minimising the log-loss of softmax(t · scores)."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        z = scores * math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))

    return math.exp(minimize_scalar(loss, bounds=(-2.0, 4.0), method="bounded").x)


def _calibration_folds(n: int) -> int:
    """3 folds; 2 for tiny sets, and for large ones (above 5,000 texts), where halves are plenty and time counts."""
    return 3 if 30 <= n <= 5000 else 2


def _out_of_fold(x: sp.csr_matrix, y: np.ndarray, n_classes: int, seed: int) -> np.ndarray | None:
    from sklearn.model_selection import StratifiedKFold

    if len(y) < 6:
        return None
    folds = _calibration_folds(len(y))
    scores = np.zeros((len(y), n_classes), dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the least populated class has only 1 member"
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    for train_idx, test_idx in splits:
        coef, intercept = _fit_nbsvm(x[train_idx], y[train_idx], n_classes, seed)
        scores[test_idx] = _scores(x[test_idx], coef, intercept)
    return scores


def train(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0) -> Classifier:
    """Learn a dispatch model from labelled texts ("subject\\ndetail" or just subjects).

    Texts or labels that are empty after stripping are dropped (counted in meta["dropped"]). Raises
    `TrainingError` on empty input, different lengths, nothing left, or a single class. Classes with a single
    example are allowed."""
    started = time.perf_counter()
    texts, labels, dropped = _prepare(texts, labels)
    classes = sorted(set(labels))
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels], dtype=np.int64)
    views, hashers, columns, idfs, x = _fit_views(texts, len(texts))
    oof = _out_of_fold(x, y, len(classes), seed)
    temperature = _fit_temperature(oof, y) if oof is not None else 1.0
    coef, intercept = _fit_nbsvm(x, y, len(classes), seed)
    meta = {
        "algorithm": ALGORITHM,
        "n_samples": len(texts),
        "n_classes": len(classes),
        "class_counts": dict(sorted(Counter(labels).items(), key=lambda kv: (-kv[1], kv[0]))),
        "dropped": dropped,
        "input": "subject" if all(v.field == "subject" for v in views) else "subject+detail",
        "n_features": int(coef.shape[0]),
        "params": {"views": [_view_dict(v) for v in views], "hash_buckets": N_FEATURES, "svm_C": SVM_C,
                   "svm_tol": SVM_TOL, "nb_alpha": NB_ALPHA, "class_weight": "balanced, clipped to [0.1, 10]",
                   "confidence": "softmax of one-vs-rest scores, temperature on out-of-fold "
                   "scores", "temperature": round(temperature, 6), "seed": seed},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_seconds": None,
        "versions": _versions(),
    }
    if oof is not None:
        meta["oof"] = _oof_summary(oof, y)
    meta["train_seconds"] = round(time.perf_counter() - started, 3)
    return Classifier(classes, meta, views, columns, idfs, coef, intercept, temperature)


def _oof_summary(scores: np.ndarray, y: np.ndarray) -> dict:
    """Out-of-fold accuracy and macro-F1 of the calibration folds (a rough, slightly optimistic estimate:
    the kept features and idf were computed on all texts)."""
    from sklearn.metrics import accuracy_score, f1_score

    pred = scores.argmax(axis=1)
    return {"folds": _calibration_folds(len(y)), "accuracy": round(float(accuracy_score(y, pred)), 4),
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4)}


def _versions() -> dict:
    import platform

    import scipy
    import sklearn

    out = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
           "scikit-learn": sklearn.__version__}
    try:
        import jieba

        out["jieba"] = jieba.__version__
    except ImportError:  # pragma: no cover
        pass
    return out


# --------------------------------------------------------------------------------------------------------
# Evaluation


def cross_validate(texts: Sequence[str], labels: Sequence[str], *, folds: int = 5, seed: int = 0,
                   make: Callable[..., Any] = train) -> dict:
    """Stratified k-fold cross-validation. `make(texts, labels, seed=…)` returns anything with
    `predict_many(texts, k=1)`. Returns the mean macro-F1 and accuracy, their per-fold values, and how well
    the top-1 confidence matches the hit rate (`ece`: expected calibration error over 10 bins, pooled over
    all folds; `mean_confidence`). Empty texts/labels are dropped first, as `train` does."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    texts, labels, _ = _prepare(texts, labels)
    y = np.array(labels, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    f1s, accs, seconds, confidence, correct = [], [], [], [], []
    for train_idx, test_idx in splits:
        started = time.perf_counter()
        model = make([texts[i] for i in train_idx], [labels[i] for i in train_idx], seed=seed)
        seconds.append(time.perf_counter() - started)
        top = [t[0] for t in model.predict_many([texts[i] for i in test_idx], k=1)]
        pred = [s.label for s in top]
        f1s.append(float(f1_score(y[test_idx], pred, average="macro")))
        accs.append(float(accuracy_score(y[test_idx], pred)))
        confidence += [s.confidence for s in top]
        correct += [p == t for p, t in zip(pred, y[test_idx], strict=True)]
    return {"folds": folds, "seed": seed, "n_samples": len(texts), "macro_f1": float(np.mean(f1s)),
            "accuracy": float(np.mean(accs)), "macro_f1_folds": f1s, "accuracy_folds": accs,
            "train_seconds_folds": seconds, "mean_confidence": float(np.mean(confidence)),
            "ece": _ece(np.array(confidence), np.array(correct, dtype=float))}


def _ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(sum(abs(confidence[which == b].mean() - correct[which == b].mean()) * (which == b).sum()
                     for b in range(bins) if (which == b).any()) / len(confidence))
