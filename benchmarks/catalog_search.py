"""Catalogue search latency at 10,000 items, SQLite and PostgreSQL, beside a naive icontains scan.

    .venv/bin/python benchmarks/catalog_search.py [--items 10000] [--repeat 20]
        [--pg postgres://postgres@127.0.0.1:5432/tongban_bench] [--no-pg]

Each database is filled in a child process (the demo's 523 items, then variants of their names and,
when ../shared/data is present, of the real 广安 catalogue's names, up to --items). Every query runs
--repeat times through `catalog.search.search(q, limit=20)` and through the baseline
`Item.objects.filter(Q(name__icontains=q) | Q(keywords__icontains=q)).order_by("code")[:20]`.
Printed: median and p95 latency in ms, and how many results each found (the baseline finds nothing
for plain words and typos). The PostgreSQL database named in --pg is dropped and recreated.
"""

# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not installed)

import argparse
import csv
import json
import statistics
import tempfile
import time

from testsupport import bench

GUANGAN = bench.SHARED_CATALOG / "guangan_items.csv"
QUERIES = ["社保", "户籍", "公积金", "营业执照", "营业执造", "异地就医备案", "失业保险金申领", "食品经营许可",
           "退休", "出生医学证明", "结婚登记", "驾驶证", "残疾人", "不动产登记", "低保", "医保"]


def worker(n_items: int, repeat: int) -> dict:
    bench.setup_django()
    from django.db import connection
    from django.db.models import Q

    from tongban.catalog.models import Item
    from tongban.catalog.search import search
    from tongban.demo.actions import demo_items, do_load_demo

    started = time.perf_counter()
    do_load_demo()
    base = demo_items()
    names = [row.name for row in base]
    if GUANGAN.is_file():
        with GUANGAN.open(encoding="utf-8") as fh:
            names += [r["item_name"] for r in csv.DictReader(fh)]
    bench.import_rows(bench.synthetic_items(names, base, {row.name for row in base}), n_items - len(base))
    load_seconds = time.perf_counter() - started

    ours, our_items = bench.measure(lambda q: search(q, limit=20).items, QUERIES, repeat)
    naive, naive_items = bench.measure(lambda q: list(
        Item.objects.filter(Q(name__icontains=q) | Q(keywords__icontains=q)).order_by("code")[:20]), QUERIES, repeat)
    return {"vendor": connection.vendor, "items": Item.objects.count(), "load_s": load_seconds,
            "ours": ours, "naive": naive,
            "our_hits": {q: len(found) for q, found in zip(QUERIES, our_items, strict=True)},
            "naive_hits": {q: len(found) for q, found in zip(QUERIES, naive_items, strict=True)},
            "rankings": {q: [item.code for item in found] for q, found in zip(QUERIES, our_items, strict=True)}}


def child(database_url: str, args) -> dict:
    argv = ["--worker", "--items", str(args.items), "--repeat", str(args.repeat)]
    return bench.run_child(__file__, argv, database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg", default=bench.DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.items, args.repeat)))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(child(f"sqlite:///{tmp}/bench.sqlite3", args))
    if not args.no_pg:
        bench.recreate_pg(args.pg)
        results.append(child(args.pg, args))
    print(f"catalog search, {args.repeat} runs × {len(QUERIES)} queries, limit 20 (times in ms)")
    print(f"{'database':<11}{'items':>7}{'method':>22}{'median':>9}{'p95':>9}{'ratio(median)':>15}")
    for r in results:
        for label, key in (("tongban search", "ours"), ("naive icontains scan", "naive")):
            ratio = statistics.median(r[key]) / statistics.median(r["naive"])
            print(f"{r['vendor']:<11}{r['items']:>7}{label:>22}{statistics.median(r[key]):>9.2f}"
                  f"{bench.p95(r[key]):>9.2f}{ratio:>15.2f}")
        print(f"{'':<11}load {r['load_s']:.1f} s")
    print("\nresults found (of at most 20): query: tongban / naive, per database")
    for q in QUERIES:
        cells = [f"{r['vendor']}: {r['our_hits'][q]:>2} / {r['naive_hits'][q]:>2}" for r in results]
        print(f"  {q:<10}" + "  ".join(cells))
    if len(results) == 2:
        same = sum(results[0]["rankings"][q] == results[1]["rankings"][q] for q in QUERIES)
        print(f"\nidentical top-20 rankings on SQLite and PostgreSQL: {same} of {len(QUERIES)} queries")


if __name__ == "__main__":
    main()
