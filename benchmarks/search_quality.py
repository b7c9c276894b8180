"""Catalogue search quality on the real 广安区 catalogue beside rapidfuzz and BM25; latency at 10,000 and 100,000 items.

    .venv/bin/python benchmarks/search_quality.py [--data DIR] [--items 10000 100000] [--repeat 5]
        [--pg postgres://postgres@127.0.0.1:5432/tongban_bench_quality] [--no-pg]
        [--quality-only | --latency-only] [--misses]

Data (read in place, never copied): DIR/guangan_items.csv (1,135 real items) and DIR/queries_dev.tsv (80
queries: query, targets — exact item_names separated by `|` — and kind: official, colloquial, question,
abbreviation, typo); DIR defaults to ../shared/data/catalog beside the repository.

Each database gets a child process (SQLite: a fresh file in a temporary directory; PostgreSQL: --pg,
dropped and recreated before, dropped after) that migrates, then imports the catalogue exactly as
docs/catalog.md does (`tongban catalog add-region 511602 …`, `tongban catalog import … --region 511602
--map … --create-departments`). Then:

- quality: every query through `tongban.catalog.search.search(q, limit=10)`, as pages call it. hit@k: a
  target is among the first k names; MRR: 1 / rank of the first target within the first 10, else 0; no
  result: the search returned nothing. Overall and per kind.
- latency: the catalogue grows to each --items size with synthetic items (real names + "（变更）",
  "（个人）"…, then pairs of such suffixes; the other fields of the real item; codes BENCH-000000…;
  imported through `do_import_items` 2,000 at a time; ANALYZE on PostgreSQL). Every query runs one
  untimed warm-up, then --repeat timed runs of `search(q, limit=20).items`, and the same for today's
  naive scan `Item.objects.filter(Q(name__icontains=q) | Q(keywords__icontains=q)).order_by("code")[:20]`.
  Median and p95 in ms, and the ratio of medians (search ÷ scan).

Baselines, in the parent (pure Python, no database), over the same 1,135 names, scored the same way:
rapidfuzz `process.extract(q, names, scorer=fuzz.WRatio, limit=10)` and Okapi BM25 (k1 1.2, b 0.75, idf
ln(1 + (N − df + 0.5) / (df + 0.5))) over character bigrams: NFKC and lower case, then the bigrams of each
run of Chinese characters (a one-character run is itself a token) and each Latin/digit word whole; the
query is cut the same way, a repeated query token counts again; documents scoring 0 are not results; ties
go to the name earlier in the file.

Printed: date and machine, a quality table, a latency table, whether SQLite and PostgreSQL gave the same
codes in the same order for every query (top 10 on the real catalogue, top 20 at each size), and how
long each stage took. --misses lists the queries whose targets are not in the first 5, with the first
result. Not run in CI. Details: docs/operations.md, "Benchmarks".
"""
# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not installed)

import argparse
import csv
import json
import math
import re
import statistics
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from io import StringIO

from testsupport import bench

ITEMS_FILE, QUERIES_FILE = "guangan_items.csv", "queries_dev.tsv"
REGION = ["511602", "广安市广安区", "--short-name", "广安区"]
IMPORT_ARGS = ["--region", "511602", "--map", "code=itemCode", "--map", "name=item_name", "--map",
               "item_type=taskType", "--map", "department=department", "--create-departments"]
KINDS = ["official", "colloquial", "question", "abbreviation", "typo"]
TOP = 10  # results kept per query for quality (MRR looks this deep)


@dataclass(frozen=True)
class Query:
    text: str
    targets: frozenset[str]
    kind: str


def read_queries(path: Path) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Query(r["query"], frozenset(t for t in r["targets"].split("|") if t), r["kind"])
                for r in csv.DictReader(fh, delimiter="\t")]


def read_names(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [r["item_name"] for r in csv.DictReader(fh)]


# ---- child: one database --------------------------------------------------------------------------------

def worker(args) -> dict:
    clock, stages = time.perf_counter(), []

    def stage(label: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages.append((label, now - clock))
        clock = now

    def log(message: str) -> None:
        print(f"  [{vendor}] {message}", file=sys.stderr, flush=True)

    vendor = "?"
    bench.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from tongban.catalog.actions import item_data, items_with_details
    from tongban.catalog.filters import by_code
    from tongban.catalog.models import Item
    from tongban.catalog.search import search

    vendor = connection.vendor
    stage("migrate")
    queries = read_queries(args.data / QUERIES_FILE)
    out = StringIO()
    call_command("catalog", "add-region", *REGION, stdout=out)
    call_command("catalog", "import", str(args.data / ITEMS_FILE), *IMPORT_ARGS, stdout=out)
    report = out.getvalue().strip().splitlines()[-1]
    real = Item.objects.count()
    log(f"imported: {report}")
    stage(f"import the catalogue ({real} items)")
    result: dict = {"vendor": vendor, "version": bench.database_version(), "import": report, "real": real,
                    "quality": None, "latency": []}

    if not args.latency_only:
        result["quality"] = [[[item.code, item.name] for item in search(q.text, limit=TOP).items] for q in queries]
        stage(f"quality: {len(queries)} queries")

    if not args.quality_only:
        real_items = list(items_with_details().order_by(by_code()))
        rows = bench.synthetic_items([item.name for item in real_items], [item_data(item) for item in real_items],
                                     {item.name for item in real_items})
        texts = [q.text for q in queries]
        for size in sorted(set(args.items)):
            have = Item.objects.count()
            if size > have:
                log(f"growing to {size:,} items …")

                def progress(n: int, have: int = have) -> None:
                    if n % 10_000 == 0:
                        log(f"{have + n:,} items")

                added = bench.import_rows(rows, size - have, progress=progress)
                if added < size - have:
                    raise SystemExit(f"only {have + added} synthetic names available, not {size}")
                stage(f"grow to {size:,} items")
            log(f"timing at {Item.objects.count():,} items …")
            ours, answers = bench.measure(lambda q: search(q, limit=20).items, texts, args.repeat)
            naive, scanned = bench.measure(lambda q: list(
                Item.objects.filter(Q(name__icontains=q) | Q(keywords__icontains=q)).order_by("code")[:20]),
                texts, args.repeat)
            result["latency"].append({"size": size, "items": Item.objects.count(), "ours": ours, "naive": naive,
                                      "codes": [[item.code for item in found] for found in answers],
                                      "ours_answered": sum(bool(found) for found in answers),
                                      "naive_answered": sum(bool(found) for found in scanned)})
            stage(f"latency at {size:,} items ({len(texts)} queries × (1 + {args.repeat}) × 2 methods)")
    result["stages"] = stages
    return result


# ---- parent: baselines and scoring ----------------------------------------------------------------------

TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")


def bigrams(text: str) -> list[str]:
    tokens: list[str] = []
    for run in TOKEN.findall(unicodedata.normalize("NFKC", text).lower()):
        if run.isascii() or len(run) == 1:
            tokens.append(run)
        else:
            tokens += [run[i:i + 2] for i in range(len(run) - 1)]
    return tokens


class BM25:
    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        counts = [Counter(bigrams(doc)) for doc in docs]
        lengths = [sum(c.values()) for c in counts]
        average = sum(lengths) / len(docs)
        df = Counter(token for c in counts for token in c)
        idf = {t: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for d, c in enumerate(counts):
            norm = k1 * (1 - b + b * lengths[d] / average)
            for token, f in c.items():
                self.postings[token].append((d, idf[token] * f * (k1 + 1) / (f + norm)))

    def top(self, query: str, k: int) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for token in bigrams(query):
            for d, weight in self.postings.get(token, ()):
                scores[d] += weight
        return sorted(scores, key=lambda d: (-scores[d], d))[:k]


def baselines(names: list[str], queries: list[Query]) -> dict[str, tuple[list[list[str]], float]]:
    from rapidfuzz import fuzz, process

    out = {}
    t0 = time.perf_counter()
    out["rapidfuzz WRatio"] = ([[name for name, _, _ in process.extract(q.text, names, scorer=fuzz.WRatio, limit=TOP)]
                               for q in queries], time.perf_counter() - t0)
    t0 = time.perf_counter()
    index = BM25(names)
    out["BM25 bigrams"] = ([[names[d] for d in index.top(q.text, TOP)] for q in queries], time.perf_counter() - t0)
    return out


def rank(found: Sequence[str], targets: frozenset[str]) -> int | None:
    return next((i + 1 for i, name in enumerate(found[:TOP]) if name in targets), None)


def score_rows(label: str, rankings: list[list[str]], queries: list[Query]) -> list[str]:
    lines = []
    for kind in ["all", *KINDS]:
        picked = [(q, found) for q, found in zip(queries, rankings, strict=True) if kind in ("all", q.kind)]
        if not picked:
            continue
        ranks = [rank(found, q.targets) for q, found in picked]
        n = len(picked)
        hit1 = sum(r == 1 for r in ranks) / n
        hit5 = sum(r is not None and r <= 5 for r in ranks) / n
        mrr = sum(1 / r for r in ranks if r is not None) / n
        empty = sum(not found for _, found in picked)
        lines.append(f"{label if kind == 'all' else '':<22}{kind:<14}{n:>4}{hit1:>8.3f}{hit5:>8.3f}{mrr:>8.3f}"
                     f"{empty:>11}")
    return lines


def print_misses(label: str, rankings: list[list[str]], queries: list[Query]) -> None:
    missed = [(q, found) for q, found in zip(queries, rankings, strict=True)
              if (r := rank(found, q.targets)) is None or r > 5]
    print(f"\n{label}: {len(missed)} of {len(queries)} queries miss at 5 (kind, query → first result; wanted)")
    for q, found in sorted(missed, key=lambda pair: KINDS.index(pair[0].kind)):
        r = rank(found, q.targets)
        where = f", target at {r}" if r else ""
        first = found[0] if found else "（无结果）"
        print(f"  {q.kind:<13}{q.text} → {first}{where}; wanted {'|'.join(sorted(q.targets))}")


def child(database_url: str, args) -> dict:
    argv = ["--worker", "--data", str(args.data), "--repeat", str(args.repeat), "--items", *map(str, args.items)]
    argv += ["--quality-only"] * args.quality_only + ["--latency-only"] * args.latency_only
    return bench.run_child(__file__, argv, database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=bench.SHARED_CATALOG,
                        help=f"directory holding {ITEMS_FILE} and {QUERIES_FILE}")
    parser.add_argument("--items", type=int, nargs="+", default=[10_000, 100_000], help="catalogue sizes for latency")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query and method")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/tongban_bench_quality")
    parser.add_argument("--no-pg", action="store_true")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--quality-only", action="store_true")
    only.add_argument("--latency-only", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the queries that miss at 5")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data = args.data.resolve()
    missing = [name for name in (ITEMS_FILE, QUERIES_FILE) if not (args.data / name).is_file()]
    if missing:
        sys.exit(f"search_quality: {', '.join(missing)} not found in {args.data} (the real data lives in "
                 "../shared/data/catalog beside the repository; a fresh clone has none — use --data DIR)")
    if args.worker:
        print(json.dumps(worker(args)))
        return

    started = time.perf_counter()
    names, queries = read_names(args.data / ITEMS_FILE), read_queries(args.data / QUERIES_FILE)
    unknown = sorted({t for q in queries for t in q.targets} - set(names))
    if unknown:
        sys.exit(f"search_quality: targets not in {ITEMS_FILE}: {'、'.join(unknown)}")
    print(f"catalogue search quality and latency — {bench.machine_note()}", flush=True)
    print(f"data: {args.data} ({len(names)} items, {len(queries)} queries)", flush=True)
    base = {} if args.latency_only else baselines(names, queries)

    results: list[dict] = []
    timings: list[tuple[str, float]] = [(f"baseline {label}", seconds) for label, (_, seconds) in base.items()]

    def run(label: str, url: str) -> None:
        print(f"{label}: running …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        results.append(child(url, args))
        timings.append((f"{label} (whole child)", time.perf_counter() - t0))
        timings.extend((f"  {label}: {stage}", seconds) for stage, seconds in results[-1]["stages"])

    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.sqlite3")
    if not args.no_pg:
        bench.recreate_pg(args.pg)
        try:
            run("PostgreSQL", args.pg)
        finally:
            bench.drop_pg(args.pg)

    print("databases: " + "; ".join(f"{r['version']} ({r['import']})" for r in results))
    if not args.latency_only:
        print(f"\nquality over {len(queries)} dev queries, search(q, limit={TOP}); a hit = a target name in the "
              "first k results")
        print(f"{'engine':<22}{'kind':<14}{'n':>4}{'hit@1':>8}{'hit@5':>8}{'MRR':>8}{'no result':>11}")
        engines = [(f"tongban ({r['vendor']})", [[name for _, name in found] for found in r["quality"]])
                   for r in results]
        for label, rankings in [*engines, *((label, rankings) for label, (rankings, _) in base.items())]:
            print("\n".join(score_rows(label, rankings, queries)))
        if args.misses:
            print_misses(engines[0][0], engines[0][1], queries)
            for label, rankings in engines[1:]:
                if rankings == engines[0][1]:
                    print(f"\n{label}: the same misses, the same first results")
                else:
                    print_misses(label, rankings, queries)

    if not args.quality_only:
        print(f"\nlatency: {len(queries)} queries × {args.repeat} runs after one warm-up each, limit 20 (ms)")
        print(f"{'database':<12}{'items':>8}{'method':>22}{'median':>9}{'p95':>9}{'ratio':>8}{'answered':>10}")
        for r in results:
            for point in r["latency"]:
                for label, key in (("tongban search", "ours"), ("naive icontains scan", "naive")):
                    ratio = statistics.median(point[key]) / statistics.median(point["naive"])
                    print(f"{r['vendor']:<12}{point['items']:>8,}{label:>22}{statistics.median(point[key]):>9.2f}"
                          f"{bench.p95(point[key]):>9.2f}{ratio:>8.2f}{point[key + '_answered']:>7}/{len(queries)}")
        print("ratio: median of tongban search ÷ median of the naive scan, same database and size; answered: "
              "queries with at least one result (a query that finds nothing is cheap)")

    if len(results) == 2:
        a, b = results
        print()
        if a["quality"] is not None:
            same = sum(x == y for x, y in zip(([c for c, _ in f] for f in a["quality"]),
                                              ([c for c, _ in f] for f in b["quality"]), strict=True))
            verdict = "identical" if same == len(queries) else "NOT identical"
            print(f"SQLite and PostgreSQL top-{TOP} codes on the real catalogue: {verdict} "
                  f"({same} of {len(queries)} queries)")
        for x, y in zip(a["latency"], b["latency"], strict=True):
            same = sum(p == q for p, q in zip(x["codes"], y["codes"], strict=True))
            verdict = "identical" if same == len(queries) else "NOT identical"
            print(f"SQLite and PostgreSQL top-20 codes at {x['items']:,} items: {verdict} "
                  f"({same} of {len(queries)} queries)")

    print("\nstages (s):")
    for label, seconds in timings:
        print(f"  {label:<76}{seconds:>8.1f}")
    print(f"  {'total':<76}{time.perf_counter() - started:>8.1f}")


if __name__ == "__main__":
    main()
