"""Learned dispatch (接诉即办): Tongban's classifier beside a plain TF-IDF + LinearSVC baseline, on real messages.

    .venv/bin/python benchmarks/dispatch.py [--data PATH] [--folds 5] [--seed 0] [--latency 300]

Data: ../shared/data/hotline/messages_dev.csv (columns id,user,subject,time,detail,label; read in place,
never copied). Both models are scored by the same stratified k-fold split (`classifier.cross_validate`),
for two inputs: the subject alone, and subject + "\\n" + detail. The baseline is scikit-learn's
`TfidfVectorizer(analyzer="char", ngram_range=(1, 3))` + `LinearSVC()` with defaults (random_state fixed
for repeatability) on the same text. Printed: macro-F1 and accuracy (mean over folds, per-fold min–max),
Tongban minus baseline, Tongban's calibration (ECE of the top-1 confidence); training time on all
messages and on 10,000 SYNTHETIC messages (the real ones repeated; every copy after the first has its
detail's sentences shuffled and the last 0–40 % dropped — near-duplicates, so it measures time and size,
not accuracy); predict_top latency of a model read back with `Classifier.loads` (median, p95);
predict_many throughput; model size; jieba's first dictionary load. Not run in CI.
"""
# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import random
import re
import statistics
import time

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hotline" / "messages_dev.csv"
SYNTHETIC_N = 10_000


class Baseline:
    """char 1–3-gram TF-IDF + LinearSVC, scikit-learn defaults; the floor to beat."""

    def __init__(self, texts: list[str], labels: list[str], *, seed: int = 0):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        self.model = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)),
                                   LinearSVC(random_state=seed)).fit(texts, labels)

    def predict_many(self, texts: list[str], k: int = 1):
        from tongban.textmining.classifier import Suggestion

        return [[Suggestion(str(label), 1.0)] for label in self.model.predict(texts)]


def synthetic(texts: list[str], labels: list[str], n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """n messages: the real ones, then copies whose detail sentences are shuffled and 0–40 % of them dropped."""
    rng = random.Random(seed)
    out_t, out_l = [], []
    for i in range(n):
        text, label = texts[i % len(texts)], labels[i % len(texts)]
        if i >= len(texts):
            subject, _, detail = text.partition("\n")
            sentences = [s for s in re.split(r"(?<=[。！？；!?\n])", detail) if s.strip()]
            rng.shuffle(sentences)
            keep = max(1, round(len(sentences) * rng.uniform(0.6, 1.0)))
            text = subject + "\n" + "".join(sentences[:keep])
        out_t.append(text)
        out_l.append(label)
    return out_t, out_l


def span(values: list[float]) -> str:
    return f"({min(values):.4f}–{max(values):.4f})"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=int, default=300, help="messages timed one by one with predict_top")
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"dispatch benchmark: data file not found: {args.data}\n"
                 "  (it lives outside the repository, in ../shared/data/hotline/; pass --data PATH)")

    from tongban.textmining import classifier

    subjects, labels = classifier.read_table(args.data, "subject", "label")
    details, _ = classifier.read_table(args.data, ["subject", "detail"], "label")
    n_labels = len(set(labels))
    print(f"dispatch: {args.data.name}, {len(labels)} messages, {n_labels} labels; stratified {args.folds}-fold "
          f"CV, seed {args.seed}")
    print(f"{'input':<16}{'model':<10}{'macro-F1':>9}{'(min–max)':>16}{'accuracy':>10}{'(min–max)':>16}"
          f"{'ECE':>7}{'conf':>7}{'train s/fold':>14}")
    results = {}
    for name, texts in (("subject", subjects), ("subject+detail", details)):
        for model_name, make in (("baseline", Baseline), ("tongban", classifier.train)):
            r = classifier.cross_validate(texts, labels, folds=args.folds, seed=args.seed, make=make)
            results[name, model_name] = r
            calib = (f"{r['ece']:>7.3f}{r['mean_confidence']:>7.3f}" if model_name == "tongban"
                     else f"{'—':>7}{'—':>7}")
            print(f"{name:<16}{model_name:<10}{r['macro_f1']:>9.4f}{span(r['macro_f1_folds']):>16}"
                  f"{r['accuracy']:>10.4f}{span(r['accuracy_folds']):>16}"
                  f"{calib}{statistics.mean(r['train_seconds_folds']):>14.1f}", flush=True)
        ours, base = results[name, "tongban"], results[name, "baseline"]
        wins = sum(a > b for a, b in zip(ours["macro_f1_folds"], base["macro_f1_folds"], strict=True))
        print(f"{'':<16}tongban − baseline: macro-F1 {100 * (ours['macro_f1'] - base['macro_f1']):+.2f} pts "
              f"(×{ours['macro_f1'] / base['macro_f1']:.3f}), accuracy "
              f"{100 * (ours['accuracy'] - base['accuracy']):+.2f} pts; better on {wins}/{args.folds} folds")

    print("\ntraining (subject+detail)")
    started = time.perf_counter()
    model = classifier.train(details, labels, seed=args.seed)
    seconds = time.perf_counter() - started
    blob = model.dumps()
    print(f"  {len(details):>6} real messages        {seconds:>6.1f} s   model {len(blob):>11,} bytes   "
          f"{model.meta['n_features']:,} features")
    big_t, big_l = synthetic(details, labels, SYNTHETIC_N, args.seed)
    started = time.perf_counter()
    big = classifier.train(big_t, big_l, seed=args.seed)
    big_seconds = time.perf_counter() - started
    print(f"  {len(big_t):>6} SYNTHETIC messages   {big_seconds:>6.1f} s   model {len(big.dumps()):>11,} bytes   "
          f"{big.meta['n_features']:,} features   ({sum(map(len, big_t)):,} characters; real ones repeated, "
          "detail sentences shuffled/truncated)")
    started = time.perf_counter()
    sub_model = classifier.train(subjects, labels, seed=args.seed)
    print(f"  {len(subjects):>6} subjects only        {time.perf_counter() - started:>6.1f} s   "
          f"model {len(sub_model.dumps()):>11,} bytes")

    print("\nprediction (model read back with Classifier.loads)")
    started = time.perf_counter()
    loaded = classifier.Classifier.loads(blob)
    load_ms = (time.perf_counter() - started) * 1000
    sample = random.Random(args.seed).sample(details, min(args.latency, len(details)))
    for text in sample[:5]:
        loaded.predict_top(text)  # warm
    times = []
    for text in sample:
        t0 = time.perf_counter()
        loaded.predict_top(text, k=3)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"  loads: {load_ms:.0f} ms; predict_top(k=3) over {len(sample)} messages: median "
          f"{statistics.median(times):.2f} ms, p95 {p95(times):.2f} ms, max {max(times):.2f} ms")
    started = time.perf_counter()
    loaded.predict_many(details, k=3)
    per_s = len(details) / (time.perf_counter() - started)
    print(f"  predict_many(k=3) over {len(details)} messages: {per_s:,.0f} messages/s")
    same = all(a == b for a, b in zip(model.predict_many(sample, k=3), loaded.predict_many(sample, k=3), strict=True))
    print(f"  identical suggestions before and after dumps/loads: {same}")
    jieba_s = classifier.jieba_load_seconds
    print(f"  jieba first dictionary load (this process): {jieba_s:.2f} s" if jieba_s is not None else "")


if __name__ == "__main__":
    main()
