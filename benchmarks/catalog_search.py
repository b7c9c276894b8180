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

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUANGAN = ROOT.parent / "shared" / "data" / "catalog" / "guangan_items.csv"
QUERIES = ["社保", "户籍", "公积金", "营业执照", "营业执造", "异地就医备案", "失业保险金申领", "食品经营许可",
           "退休", "出生医学证明", "结婚登记", "驾驶证", "残疾人", "不动产登记", "低保", "医保"]
VARIANTS = ["（首次办理）", "（变更）", "（注销）", "（补办）", "（延续）", "（个人）", "（单位）", "（线上）",
            "（窗口）", "（跨省）", "（市内）", "（港澳台居民）", "（外籍人员）", "（退役军人）", "（残疾人）",
            "（农村居民）", "（城镇职工）", "（灵活就业人员）", "（企业）", "（个体工商户）"]


def worker(n_items: int, repeat: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from dataclasses import replace

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from tongban.catalog.actions import ItemData, do_import_items
    from tongban.catalog.models import Item
    from tongban.catalog.search import search
    from tongban.demo.actions import demo_items, do_load_demo

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    do_load_demo()
    base = demo_items()
    names = [row.name for row in base]
    if GUANGAN.is_file():
        with GUANGAN.open(encoding="utf-8") as fh:
            names += [r["item_name"] for r in csv.DictReader(fh)]
    rows: list[ItemData] = []
    seen = {row.name for row in base}
    for variant in VARIANTS:
        for i, name in enumerate(names):
            if len(base) + len(rows) >= n_items:
                break
            if name + variant in seen:
                continue
            seen.add(name + variant)
            template = base[i % len(base)]
            rows.append(replace(template, code=f"BENCH-{len(rows):06d}", name=name + variant, keywords=()))
    for start in range(0, len(rows), 2000):
        do_import_items(rows[start:start + 2000], source="bench")
    load_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def measure(fn) -> tuple[list[float], dict[str, int]]:
        times, hits = [], {}
        for q in QUERIES:
            fn(q)  # warm
            for _ in range(repeat):
                t0 = time.perf_counter()
                hits[q] = fn(q)
                times.append((time.perf_counter() - t0) * 1000)
        return times, hits

    ours, our_hits = measure(lambda q: len(search(q, limit=20).items))
    naive, naive_hits = measure(lambda q: len(list(
        Item.objects.filter(Q(name__icontains=q) | Q(keywords__icontains=q)).order_by("code")[:20])))
    rankings = {q: [item.code for item in search(q, limit=20).items] for q in QUERIES}
    return {"vendor": connection.vendor, "items": Item.objects.count(), "load_s": load_seconds,
            "ours": ours, "naive": naive, "our_hits": our_hits, "naive_hits": naive_hits, "rankings": rankings}


def run_child(database_url: str, args) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "TONGBAN_LOG_LEVEL": "ERROR"}
    out = subprocess.run([sys.executable, __file__, "--worker", "--items", str(args.items), "--repeat",
                          str(args.repeat)], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/tongban_bench")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.items, args.repeat)))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_child(f"sqlite:///{tmp}/bench.sqlite3", args))
    if not args.no_pg:
        recreate_pg(args.pg)
        results.append(run_child(args.pg, args))
    print(f"catalog search, {args.repeat} runs × {len(QUERIES)} queries, limit 20 (times in ms)")
    print(f"{'database':<11}{'items':>7}{'method':>22}{'median':>9}{'p95':>9}{'ratio(median)':>15}")
    for r in results:
        for label, key in (("tongban search", "ours"), ("naive icontains scan", "naive")):
            ratio = statistics.median(r[key]) / statistics.median(r["naive"])
            print(f"{r['vendor']:<11}{r['items']:>7}{label:>22}{statistics.median(r[key]):>9.2f}"
                  f"{p95(r[key]):>9.2f}{ratio:>15.2f}")
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
