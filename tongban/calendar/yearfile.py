"""The year file (节假日安排文件): CSV `日期,类型,名称`, read into validated rows and written back.

A file is checked completely before anything is written; every problem is reported with its line
number (the header is line 1). What is an error and what is allowed is listed in docs/calendar.md:

* errors: a missing or unknown header; a date that is not a real `YYYY-MM-DD` date or lies outside
  2000–2099 (a typo guard); an unknown 类型; a date given twice; 上班 on a Monday–Friday (it is a
  working day already, so the line is almost certainly a wrong date); a name longer than 100
  characters; more than three cells; a year with no 休息日 line at all (a file replaces whole years,
  and every real year has holidays, so such a year is a partial file);
* allowed: 休息日 on a Saturday or Sunday (a day of a holiday period that falls on a weekend: it
  changes nothing in the computation but keeps the period whole and named); an empty 名称; blank lines.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tongban.calendar.models import SpecialDay

HEADERS = (("日期", "类型", "名称"), ("date", "kind", "name"))
ACCEPTED_HEADERS = HEADERS + tuple(h[:2] for h in HEADERS)  # 名称 may be left out
KINDS = {
    "休息日": SpecialDay.Kind.HOLIDAY, "放假": SpecialDay.Kind.HOLIDAY, "holiday": SpecialDay.Kind.HOLIDAY,
    "上班": SpecialDay.Kind.WORKDAY, "工作日": SpecialDay.Kind.WORKDAY, "workday": SpecialDay.Kind.WORKDAY,
}
EXPORT_KIND: dict[str, str] = {SpecialDay.Kind.HOLIDAY: "休息日", SpecialDay.Kind.WORKDAY: "上班"}
FIRST_YEAR, LAST_YEAR = 2000, 2099
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
WEEKDAYS = "一二三四五六日"
_name_max = SpecialDay._meta.get_field("name").max_length
assert _name_max is not None, "SpecialDay.name is a CharField with a max_length"
NAME_MAX: int = _name_max


@dataclass(frozen=True)
class DayRow:
    date: date
    kind: str  # SpecialDay.Kind value
    name: str


@dataclass
class ParsedFile:
    rows: list[DayRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({row.date.year for row in self.rows})


def parse_date(text: str) -> date | None:
    """A strict `YYYY-MM-DD` date (not the other forms `date.fromisoformat` accepts), or None."""
    if not DATE_PATTERN.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_year_file(data: bytes) -> ParsedFile:
    """Check a whole file; `rows` is only meaningful when `errors` is empty."""
    result = ParsedFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.errors.append(f"第 {line} 行：不是 UTF-8 编码（可用 WPS/Excel 另存为“CSV UTF-8”）")
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    if tuple(header) not in ACCEPTED_HEADERS:
        result.errors.append(f"第 1 行：表头应为“日期,类型,名称”（或 date,kind,name），实际为“{','.join(header)}”")
        return result
    first_line: dict[date, int] = {}
    holiday_years: set[int] = set()
    for cells in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        problems: list[str] = []
        if len(cells) > 3:
            problems.append(f"多出 {len(cells) - 3} 列")
        cells += [""] * (3 - len(cells))
        day = parse_date(cells[0])
        kind = KINDS.get(cells[1])
        name = cells[2]
        if day is None:
            problems.append(f"日期“{cells[0]}”无效，应为 YYYY-MM-DD，如 2027-10-01")
        elif not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems.append(f"日期 {cells[0]} 超出 {FIRST_YEAR}–{LAST_YEAR} 年")
        elif day in first_line:
            problems.append(f"日期 {cells[0]} 与第 {first_line[day]} 行重复")
        if kind is None:
            problems.append(f"类型“{cells[1]}”无效，应为 休息日/放假 或 上班/工作日")
        if len(name) > NAME_MAX:
            problems.append(f"名称超过 {NAME_MAX} 个字")
        if day is not None and kind == SpecialDay.Kind.WORKDAY and day.weekday() < 5:
            problems.append(f"{cells[0]} 是星期{WEEKDAYS[day.weekday()]}，本来就是工作日；调休上班只能是周六或周日")
        if problems:
            result.errors.append(f"第 {line} 行：" + "；".join(problems))
            if day is not None:
                first_line.setdefault(day, line)
            continue
        assert day is not None and kind is not None  # either missing is a problem above
        first_line[day] = line
        if kind == SpecialDay.Kind.HOLIDAY:
            holiday_years.add(day.year)
        result.rows.append(DayRow(day, kind, name))
    if not result.errors:
        if not result.rows:
            result.errors.append("文件中没有任何日期")
        for year in result.years:
            if year not in holiday_years:
                result.errors.append(f"{year} 年没有任何休息日：导入会整体替换该年，文件须包含该年的全部放假安排")
    return result


def write_year_file(rows: Iterable[DayRow], out: io.TextIOBase) -> None:
    """Write rows in the import format (header 日期,类型,名称; 休息日 / 上班)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS[0])
    for row in rows:
        writer.writerow([f"{row.date:%Y-%m-%d}", EXPORT_KIND[row.kind], row.name])
