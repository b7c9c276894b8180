"""Rows shared by every app: the numbering counters."""

from django.db import models


class Counter(models.Model):
    """The last number issued in a series (办件 ``case``, 诉求 ``complaint``, …) for one year."""

    series = models.CharField(max_length=32)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="counter_series_year_unique")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"
