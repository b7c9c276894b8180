"""Shared test helpers: a year file on disk, a day-by-day count on `chinese_calendar` to compare with."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

HEADER = "日期,类型,名称\n"

# A made-up 2027 schedule for the tests (NOT the State Council's notice): 元旦 Fri 01-01..Sun 01-03,
# 春节 Fri 02-05..Sat 02-13 with Sun 02-14 worked, 国庆节 Fri 10-01..Thu 10-07 with Sat 10-09 worked.
YEAR_2027 = HEADER + "".join(
    f"2027-{md},{kind},{name}\n"
    for md, kind, name in [
        ("01-01", "休息日", "元旦"), ("01-02", "休息日", "元旦"), ("01-03", "休息日", "元旦"),
        *[(f"02-{d:02d}", "休息日", "春节") for d in range(5, 14)], ("02-14", "上班", "春节"),
        *[(f"10-{d:02d}", "休息日", "国庆节") for d in range(1, 8)], ("10-09", "上班", "国庆节"),
    ]
)


def write(tmp_path: Path, text: str, name: str = "year.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reference_add(start: date, n: int) -> date:
    """The baseline: walk day by day asking chinese_calendar."""
    day = start
    while n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def reference_between(start: date, end: date) -> int:
    return sum(chinese_calendar.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
