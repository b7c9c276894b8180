"""Working days on the official calendar: the interface other apps call, and the year import.

Counting convention (期间开始之日不计算在内, 《民法典》第二百零一条 and administrative practice):
the day of the event — a case's receipt — is not counted; counting starts the next day. So
`add_workdays(start, n)` is the n-th working day *after* `start`, `workdays_between(start, end)`
counts the working days in (start, end], and `workdays_between(s, add_workdays(s, n)) == n`.

Example: a case received on Wednesday 2026-09-30 with a limit of 1 working day is due on
2026-10-08 (10-01..10-07 is the National Day holiday); with 3 working days, on 2026-10-10
(a Saturday worked as 调休上班).

A date whose year is not loaded is refused with `YearNotLoaded` — every date the computation
touches: `start`, `end`, and every day walked over, so a walk past the last loaded year is refused.

Speed: per run of consecutive loaded years, a sorted array of the ordinals of its working days;
every answer is a `bisect`, O(log n). The arrays are cached in this process under a key read
with one cheap query per call, `SELECT COUNT(*), MAX(generation)` on `CalendarYear`: an import
anywhere raises `generation` above every existing row (under a table lock) and deleting a year
changes the count, so a change made by another process is seen by the next call; an import in
this process also drops the cache at once.
"""

from __future__ import annotations

import io
import threading
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, Max, Q

from tongban.calendar.models import CalendarYear, SpecialDay
from tongban.calendar.yearfile import DayRow, parse_year_file, write_year_file
from tongban.core import clock
from tongban.core.errors import Invalid, Unavailable


class YearNotLoaded(Unavailable):
    """A computation needed a day of a year whose holiday schedule is not loaded (never guessed)."""

    code = "calendar.year_not_loaded"

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year} 年的节假日安排尚未载入，无法计算工作日")


class CalendarError(Invalid):
    """A calendar operation was refused; the message is shown to the user as is."""

    code = "calendar.invalid"


class YearFileError(CalendarError):
    """A year file has errors; `errors` lists every one (with its line number where it has one)."""

    code = "calendar.year_file_invalid"

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"未导入任何日期：发现 {len(errors)} 处错误")


# --- computation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """Consecutive loaded years and the ordinals of their working days, ascending."""

    first_year: int
    last_year: int
    workdays: array


@dataclass(frozen=True)
class _Tables:
    key: tuple
    runs: dict[int, _Run]  # every loaded year → its run

    def run(self, day: date) -> _Run:
        run = self.runs.get(day.year)
        if run is None:
            raise YearNotLoaded(day.year)
        return run


_cache: _Tables | None = None
_build_lock = threading.Lock()


def _current_key() -> tuple:
    table = CalendarYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(generation) FROM {table}")
        return (connection.alias, *cursor.fetchone())


def _build(key: tuple) -> _Tables:
    years = sorted(CalendarYear.objects.values_list("year", flat=True))
    special = dict(SpecialDay.objects.values_list("date", "kind"))
    runs: dict[int, _Run] = {}
    i = 0
    while i < len(years):
        j = i
        while j + 1 < len(years) and years[j + 1] == years[j] + 1:
            j += 1
        first, last = years[i], years[j]
        ordinals = array("l")
        day, end = date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()
        while day <= end:
            kind = special.get(date.fromordinal(day))
            # date(1, 1, 1) has ordinal 1 and is a Monday, so (ordinal - 1) % 7 is the weekday.
            if kind == SpecialDay.Kind.WORKDAY or (kind is None and (day - 1) % 7 < 5):
                ordinals.append(day)
            day += 1
        run = _Run(first, last, ordinals)
        for year in range(first, last + 1):
            runs[year] = run
        i = j + 1
    return _Tables(key, runs)


def _tables() -> _Tables:
    """The cached tables, rebuilt when the key query says the calendar changed (one query per call)."""
    global _cache
    key = _current_key()
    tables = _cache
    if tables is None or tables.key != key:
        with _build_lock:
            tables = _cache
            if tables is None or tables.key != key:
                tables = _cache = _build(key)
    return tables


def clear_cache() -> None:
    """Forget the cached tables (done by every import in this process)."""
    global _cache
    _cache = None


def _check_date(day: date) -> int:
    # A datetime is a date too, but which day it falls on depends on a time zone: make the caller say.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"需要 datetime.date，而不是 {type(day).__name__}（日期时间请先用 timezone.localdate() 转换）")
    return day.toordinal()


def is_workday(day: date) -> bool:
    """Whether `day` is a working day (工作日) on the official calendar."""
    ordinal = _check_date(day)
    workdays = _tables().run(day).workdays
    i = bisect_left(workdays, ordinal)
    return i < len(workdays) and workdays[i] == ordinal


def add_workdays(start: date, n: int) -> date:
    """The n-th working day after `start` (`start` itself is not counted); n == 0 gives `start`.

    Raises ValueError for a negative n, YearNotLoaded when `start`'s year or any year the walk
    reaches is not loaded.
    """
    ordinal = _check_date(start)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"工作日数须为整数，而不是 {type(n).__name__}")
    if n < 0:
        raise ValueError(f"工作日数不能为负数：{n}")
    run = _tables().run(start)
    if n == 0:
        return start
    index = bisect_right(run.workdays, ordinal) + n - 1
    if index >= len(run.workdays):
        raise YearNotLoaded(run.last_year + 1)
    return date.fromordinal(run.workdays[index])


def workdays_between(start: date, end: date) -> int:
    """The number of working days in (start, end]: `start` not counted, `end` counted; 0 if end <= start.

    Both dates must lie in loaded years, and so must every year between them.
    """
    first, last = _check_date(start), _check_date(end)
    tables = _tables()
    run = tables.run(start)
    end_run = tables.run(end)
    if last <= first:
        return 0
    if end_run is not run:
        raise YearNotLoaded(run.last_year + 1)
    return bisect_right(run.workdays, last) - bisect_right(run.workdays, first)


def loaded_years() -> list[int]:
    """The loaded years, ascending."""
    return sorted(_tables().runs)


# --- import and export -------------------------------------------------------------------------


@dataclass
class YearChange:
    year: int
    holidays: int
    workdays: int
    replaced: bool  # the year was loaded before (its old days are deleted)


@dataclass
class ImportReport:
    years: list[YearChange] = field(default_factory=list)
    dry_run: bool = False


def do_import_year_file(path, *, dry_run: bool = False, source: str = CalendarYear.Source.IMPORT) -> ImportReport:
    """Load the years in a year file (see yearfile.py), each replaced as a unit, all or nothing.

    The whole file is checked first; any error raises YearFileError listing every one and changes
    nothing. Then, in one transaction, each year in the file gets its SpecialDay rows deleted and the
    file's inserted, and its CalendarYear row created or updated with a generation above every other
    row's. Locks: the CalendarYear table — `LOCK TABLE … IN EXCLUSIVE MODE` on PostgreSQL (plain
    reads go on, a second import waits, so two imports cannot draw the same generation); SQLite's
    IMMEDIATE transaction already serialises writers.
    """
    if source not in CalendarYear.Source.values:
        raise CalendarError(f"未知来源：{source}", code="calendar.unknown_source")
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarError(f"无法读取文件 {path}：{exc.strerror or exc}", code="calendar.unreadable_file") from None
    parsed = parse_year_file(data)
    if parsed.errors:
        raise YearFileError(parsed.errors)
    loaded = set(CalendarYear.objects.filter(year__in=parsed.years).values_list("year", flat=True))
    report = ImportReport(dry_run=dry_run)
    for year in parsed.years:
        rows = [r for r in parsed.rows if r.date.year == year]
        holidays = sum(r.kind == SpecialDay.Kind.HOLIDAY for r in rows)
        report.years.append(YearChange(year, holidays, len(rows) - holidays, year in loaded))
    if dry_run:
        return report
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {CalendarYear._meta.db_table} IN EXCLUSIVE MODE")
        loaded = set(CalendarYear.objects.filter(year__in=parsed.years).values_list("year", flat=True))
        generation = (CalendarYear.objects.aggregate(g=Max("generation"))["g"] or 0) + 1
        now = clock.now()
        years = {}
        for year in parsed.years:
            years[year], _ = CalendarYear.objects.update_or_create(
                year=year, defaults={"source": source, "loaded_at": now, "generation": generation,
                                     "note": f"导入 {path.name}"[:200]})
        SpecialDay.objects.filter(year__in=parsed.years).delete()
        SpecialDay.objects.bulk_create(
            [SpecialDay(date=r.date, kind=r.kind, name=r.name, year=years[r.date.year]) for r in parsed.rows],
            batch_size=1000)
        for change in report.years:
            change.replaced = change.year in loaded
    clear_cache()
    return report


def year_rows(year: int) -> list[DayRow]:
    """The special days of a loaded year, by date; YearNotLoaded if it is not loaded."""
    if not CalendarYear.objects.filter(year=year).exists():
        raise YearNotLoaded(year)
    return [DayRow(d.date, d.kind, d.name) for d in SpecialDay.objects.filter(year=year).order_by("date")]


def export_year(year: int) -> str:
    """A loaded year as a year file (the import format), as text."""
    out = io.StringIO()
    write_year_file(year_rows(year), out)
    return out.getvalue()


def year_summaries():
    """CalendarYear rows annotated with `holidays` and `workdays` counts, by year."""
    return CalendarYear.objects.annotate(
        holidays=Count("days", filter=Q(days__kind=SpecialDay.Kind.HOLIDAY)),
        workdays=Count("days", filter=Q(days__kind=SpecialDay.Kind.WORKDAY)),
    ).order_by("year")
