"""Working-day arithmetic: `calendar.actions.add_workdays` beside a day-by-day walk on `chinese_calendar`.

    .venv/bin/python benchmarks/calendar.py [--calls 2000] [--rounds 5] [--seed 1]

Sets up Django on a fresh SQLite file in a temporary TONGBAN_DATA_DIR (DATABASE_URL is ignored) and
migrates, which seeds 2004–2026. The same --calls inputs (start uniformly in 2010–2025, n in 0..60)
go through `add_workdays(start, n)` — one cache-key query plus a bisect per call — and through the
baseline, a loop that steps one day at a time asking `chinese_calendar.is_workday`; likewise
`workdays_between(start, due)` beside a day-by-day count. Printed: the median over --rounds of each
round's calls per second, the ratio, and whether both gave identical answers for every input.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def unshadow_stdlib() -> None:
    """This file is called calendar.py: keep its directory off sys.path, or `import calendar` finds it."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    if getattr(sys.modules.get("calendar"), "__file__", None) == __file__:
        del sys.modules["calendar"]


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.settings"
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("TONGBAN_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def baseline_add(start: date, n: int) -> date:
    import chinese_calendar

    day = start
    while n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def baseline_between(start: date, end: date) -> int:
    import chinese_calendar

    return sum(chinese_calendar.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


def rate(fn, inputs, rounds: int) -> tuple[float, list]:
    """Median calls per second over `rounds` rounds, and the answers of the last round."""
    rates, answers = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        answers = [fn(*args) for args in inputs]
        rates.append(len(inputs) / (time.perf_counter() - t0))
    return statistics.median(rates), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    unshadow_stdlib()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from django.db import connection

        from tongban.calendar.actions import _current_key, add_workdays, workdays_between

        rng = random.Random(args.seed)
        first, span = date(2010, 1, 1), (date(2025, 12, 31) - date(2010, 1, 1)).days + 1
        inputs = [(first + timedelta(days=rng.randrange(span)), rng.randint(0, 60)) for _ in range(args.calls)]
        add_workdays(*inputs[0])  # build the cache, as a long-running process would have
        ours, our_dues = rate(add_workdays, inputs, args.rounds)
        base, base_dues = rate(baseline_add, inputs, args.rounds)
        pairs = list(zip([s for s, _ in inputs], our_dues, strict=True))
        ours_b, our_counts = rate(workdays_between, pairs, args.rounds)
        base_b, base_counts = rate(baseline_between, pairs, args.rounds)
        key_rate, _ = rate(_current_key, [()] * args.calls, args.rounds)
        vendor = connection.vendor

    print(f"working-day arithmetic, {args.calls} calls × {args.rounds} rounds on {vendor} "
          f"(start 2010–2025, n 0..60; median calls/s)")
    print(f"{'operation':<18}{'method':<37}{'calls/s':>10}{'ratio':>8}")
    rows = [
        ("add_workdays", "tongban (key query + bisect)", ours, base),
        ("", "baseline chinese_calendar walk", base, base),
        ("workdays_between", "tongban (key query + bisect)", ours_b, base_b),
        ("", "baseline chinese_calendar count", base_b, base_b),
    ]
    for op, method, value, reference in rows:
        print(f"{op:<18}{method:<37}{value:>10,.0f}{value / reference:>8.1f}")
    print(f"{'':<18}{'(the cache-key query alone)':<37}{key_rate:>10,.0f}")
    same_add = sum(a == b for a, b in zip(our_dues, base_dues, strict=True))
    same_between = sum(a == b for a, b in zip(our_counts, base_counts, strict=True))
    print(f"\nidentical answers: add_workdays {same_add} of {len(inputs)}, "
          f"workdays_between {same_between} of {len(pairs)}")
    if same_add != len(inputs) or same_between != len(pairs):
        sys.exit("MISMATCH between tongban and chinese_calendar")


if __name__ == "__main__":
    main()
