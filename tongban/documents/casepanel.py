"""The case page's notice links (setting `TONGBAN_CASE_PAGE_PANELS`): the 办件文书 the case has reached."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongban.cases.models import Case
from tongban.documents.context import KINDS, available_kinds


def notices(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"documents": [(kind, KINDS[kind]) for kind in available_kinds(case)]}
