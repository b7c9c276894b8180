"""What the catalogue benchmarks share: a child process per database, scratch PostgreSQL databases,
synthetic catalogue growth, timing. Used by benchmarks/catalog_search.py and benchmarks/search_quality.py.

A benchmark script runs itself again as a child (`--worker …`) with DATABASE_URL set, once per database;
the child sets Django up, does its work and prints one line of JSON, the last line of its stdout. The
child's stderr goes straight to the terminal, for progress.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from tongban.catalog.actions import ItemData

REPO = Path(__file__).resolve().parents[1]
SHARED_CATALOG = REPO.parent / "shared" / "data" / "catalog"  # never copied into the repository
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/tongban_bench"

# Suffixes that turn a real item name into a plausible synthetic one: each alone first, then ordered pairs
# (name + "（变更）（个人）"), so that 1,135 real names give up to 1,135 × (20 + 380) distinct items.
VARIANTS = ["（首次办理）", "（变更）", "（注销）", "（补办）", "（延续）", "（个人）", "（单位）", "（线上）",
            "（窗口）", "（跨省）", "（市内）", "（港澳台居民）", "（外籍人员）", "（退役军人）", "（残疾人）",
            "（农村居民）", "（城镇职工）", "（灵活就业人员）", "（企业）", "（个体工商户）"]

T = TypeVar("T")


# ---- parent side ----------------------------------------------------------------------------------------

def run_child(script: str | Path, argv: Sequence[str], database_url: str) -> dict:
    """Run `python SCRIPT ARGV…` with DATABASE_URL set; return the JSON of the last line of its stdout."""
    env = {**os.environ, "DATABASE_URL": database_url, "TONGBAN_LOG_LEVEL": "ERROR"}
    out = subprocess.run([sys.executable, str(script), *argv], env=env, check=True, stdout=subprocess.PIPE,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg_admin(url: str):
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def recreate_pg(url: str) -> None:
    """Drop (if present) and create the database named at the end of `url`."""
    name = url.rsplit("/", 1)[1]
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine_note() -> str:
    """'2026-12-02 14:05, 2 cores, load average 1.2 0.9 0.8, Python 3.11.2' — for the head of a report."""
    load = os.getloadavg()
    return (f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores (shared), load average "
            f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}")


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


# ---- child side (Django) --------------------------------------------------------------------------------

def setup_django() -> None:
    """Set Django up on DATABASE_URL and migrate."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def database_version() -> str:
    """'SQLite 3.40.1' or 'PostgreSQL 15.14 (…)'."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def suffixes() -> Iterator[str]:
    yield from VARIANTS
    for first in VARIANTS:
        for second in VARIANTS:
            if first != second:
                yield first + second


def synthetic_items(names: Sequence[str], templates: Sequence[ItemData], taken: set[str]) -> Iterator[ItemData]:
    """Items named `name + suffix` for every suffix in turn, each name in turn, skipping names in `taken`
    (and adding the ones made). Item k copies the other fields of templates[i % len(templates)] (i: the
    name's index), has no keywords and the code BENCH-k (six digits)."""
    k = 0
    for suffix in suffixes():
        for i, name in enumerate(names):
            if name + suffix in taken:
                continue
            taken.add(name + suffix)
            yield replace(templates[i % len(templates)], code=f"BENCH-{k:06d}", name=name + suffix, keywords=())
            k += 1


def import_rows(rows: Iterable[ItemData], count: int, *, batch: int = 2000,
                progress: Callable[[int], None] | None = None) -> int:
    """Import the first `count` rows through `do_import_items` (source "bench"), `batch` at a time; then
    ANALYZE on PostgreSQL. Returns how many were imported (fewer if `rows` runs out)."""
    from django.db import connection

    from tongban.catalog.actions import do_import_items

    done, it = 0, iter(rows)
    while done < count:
        chunk = list(islice(it, min(batch, count - done)))
        if not chunk:
            break
        do_import_items(chunk, source="bench")
        done += len(chunk)
        if progress is not None:
            progress(done)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return done


def measure(fn: Callable[[str], T], queries: Sequence[str], repeat: int) -> tuple[list[float], list[T]]:
    """Per query: one untimed warm-up call, then `repeat` timed calls. Returns every time in ms and each
    query's last answer, in query order."""
    times: list[float] = []
    answers: list[T] = []
    for q in queries:
        fn(q)
        for _ in range(repeat):
            t0 = time.perf_counter()
            answer = fn(q)
            times.append((time.perf_counter() - t0) * 1000)
        answers.append(answer)
    return times, answers
