"""The case page's federation panel (setting `TONGBAN_CASE_PAGE_PANELS`): where a case that spans
two nodes is, and its messages (`casepage.case_exchange`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongban.cases.models import Case
from tongban.federation.casepage import case_exchange


def exchange(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"exchange": case_exchange(case)}
