"""`tongban calendar add-workdays|workdays|years|import|export` — the working-day calendar.

`add-workdays -` reads `START N` lines from standard input and prints one date per line. Every line
is checked and computed before anything is printed: with any bad line (or a year not loaded), each
problem is written to stderr naming its line, nothing goes to stdout, and the exit status is 1 —
so a script never receives a partial answer that it could misalign. Blank lines are skipped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongban.calendar.actions import (
    CalendarError,
    YearFileError,
    YearNotLoaded,
    add_workdays,
    do_import_year_file,
    export_year,
    workdays_between,
    year_summaries,
)
from tongban.calendar.yearfile import parse_date


class Command(BaseCommand):
    help = "工作日历：计算工作日、查看已载入年度、导入导出节假日安排"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)

        p = sub.add_parser("add-workdays", help="START 之后第 N 个工作日（START 当天不计）；“-” 从标准输入逐行读取")
        p.add_argument("start", help="起算日 YYYY-MM-DD，或 - 表示从标准输入读取“START N”行")
        p.add_argument("n", nargs="?", help="工作日数（≥ 0）")

        p = sub.add_parser("workdays", help="(START, END] 之间的工作日数（START 当天不计，END 当天计）")
        p.add_argument("start", help="YYYY-MM-DD")
        p.add_argument("end", help="YYYY-MM-DD")

        sub.add_parser("years", help="列出已载入的年度")

        p = sub.add_parser("import", help="导入节假日安排文件（CSV：日期,类型,名称），整年替换；有任何错误则全部不导入")
        p.add_argument("file", type=Path)
        p.add_argument("--dry-run", action="store_true", help="只检查，不写入")

        p = sub.add_parser("export", help="导出某年的节假日安排（与导入格式相同）")
        p.add_argument("year", type=int)
        p.add_argument("--out", type=Path, help="输出文件；缺省写到标准输出")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action.replace('-', '_')}")(**options)

    def handle_add_workdays(self, *, start: str, n: str | None, **_) -> None:
        if start == "-" and n is None:
            self._add_workdays_stdin()
            return
        if n is None:
            raise CommandError("缺少工作日数 N：tongban calendar add-workdays START N")
        try:
            day = _parse_start_n(start, n)
            self.stdout.write(f"{add_workdays(*day):%Y-%m-%d}")
        except (ValueError, YearNotLoaded) as exc:
            raise CommandError(str(exc)) from None

    def _add_workdays_stdin(self) -> None:
        stdin = getattr(self, "stdin", None) or sys.stdin
        results: list[str] = []
        errors: list[str] = []
        for number, line in enumerate(stdin, start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                if len(parts) != 2:
                    raise ValueError(f"应为“START N”两项，实际为 {len(parts)} 项")
                results.append(f"{add_workdays(*_parse_start_n(*parts)):%Y-%m-%d}")
            except (ValueError, YearNotLoaded) as exc:
                errors.append(f"第 {number} 行：{exc}（{line.strip()}）")
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"未输出任何结果：标准输入中有 {len(errors)} 行错误。")
        for result in results:
            self.stdout.write(result)

    def handle_workdays(self, *, start: str, end: str, **_) -> None:
        first, last = parse_date(start), parse_date(end)
        if first is None or last is None:
            raise CommandError(f"日期无效：{start if first is None else end}（应为 YYYY-MM-DD）")
        try:
            self.stdout.write(str(workdays_between(first, last)))
        except YearNotLoaded as exc:
            raise CommandError(str(exc)) from None

    def handle_years(self, **_) -> None:
        rows = list(year_summaries())
        if not rows:
            self.stdout.write("尚未载入任何年度。")
            return
        self.stdout.write("年份\t来源\t休息日\t调休上班\t载入时间\t备注")
        for row in rows:
            loaded_at = timezone.localtime(row.loaded_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{row.year}\t{row.source}\t{row.holidays}\t{row.workdays}\t{loaded_at}\t{row.note}")
        years = [row.year for row in rows]
        gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        summary = f"共 {len(years)} 个年度，{years[0]}–{years[-1]}"
        if gaps:
            summary += "；缺：" + "、".join(map(str, gaps))
        self.stdout.write(summary)

    def handle_import(self, *, file: Path, dry_run: bool, **_) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            report = do_import_year_file(file, dry_run=dry_run)
        except YearFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{exc}。") from None
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        for change in report.years:
            verb = "替换" if change.replaced else "新增"
            self.stdout.write(f"{change.year} 年（{verb}）：休息日 {change.holidays} 天，调休上班 {change.workdays} 天")
        if dry_run:
            self.stdout.write("检查通过（--dry-run，未写入）。")
        else:
            self.stdout.write(f"导入完成：{len(report.years)} 个年度。")

    def handle_export(self, *, year: int, out: Path | None, **_) -> None:
        try:
            text = export_year(year)
        except YearNotLoaded as exc:
            raise CommandError(str(exc)) from None
        if out is None:
            self.stdout.write(text, ending="")
            return
        out.write_text(text, encoding="utf-8")
        self.stdout.write(f"已导出 {year} 年到 {out}")


def _parse_start_n(start: str, n: str):
    day = parse_date(start)
    if day is None:
        raise ValueError(f"起算日“{start}”无效，应为 YYYY-MM-DD")
    if not re.fullmatch(r"-?[0-9]+", n):
        raise ValueError(f"工作日数“{n}”不是整数")
    count = int(n)
    if count < 0:
        raise ValueError(f"工作日数不能为负数：{count}")
    return day, count
