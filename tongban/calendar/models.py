"""The working-day calendar (工作日历): which years are loaded, and their holidays and make-up working days.

Default rule: Monday–Friday are working days, Saturday and Sunday are rest days. A `SpecialDay`
overrides it: `holiday` (休息日/放假) makes a day a rest day — every day of a holiday period is
stored, including those that fall on a weekend, so the file of a year reads like the State Council's
notice — and `workday` (调休上班) makes a weekend day a working day.

A year is *loaded* iff it has a `CalendarYear` row. Computing with a day of a year that is not
loaded is refused (`actions.YearNotLoaded`), never guessed from the default rule.

Rows are written only by `actions.do_import_year_file` and the seeding migration; the admin is
read-only for the days. `CalendarYear.generation` is what in-process caches compare (see actions).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import ExtractYear


class CalendarYear(models.Model):
    """A year whose holiday schedule (节假日安排) is loaded."""

    class Source(models.TextChoices):
        PACKAGE = "chinese-calendar", "chinese-calendar 软件包"
        IMPORT = "import", "文件导入"
        ADMIN = "admin", "管理员录入"

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    loaded_at = models.DateTimeField("载入时间")
    # Raised above every other row's on each import (under a table lock), so that
    # (row count, max generation) changes whenever any year's days change; see actions._current_key.
    generation = models.PositiveIntegerField("修订号", default=1, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class SpecialDay(models.Model):
    """A day that differs from the Monday–Friday rule, or a day of a holiday period."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "休息日"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=100, blank=True, help_text="节日名称，如：春节、国庆节")
    year = models.ForeignKey(CalendarYear, verbose_name="年度", on_delete=models.CASCADE, related_name="days")

    class Meta:
        verbose_name = verbose_name_plural = "特殊日期"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year_id=ExtractYear("date")), name="specialday_date_in_year"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".rstrip()
