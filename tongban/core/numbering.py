"""Numbers for cases, complaints and anything else people quote: per series and year, gap-free, never reused."""

from __future__ import annotations

from tongban.core.models import Counter


def next_number(series: str, year: int) -> int:
    """The next number of `series` in `year`. Call inside the transaction that creates the numbered row:
    it locks the (series, year) counter until commit, so a rolled-back creation gives its number back."""
    Counter.objects.get_or_create(series=series, year=year)
    counter = Counter.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
