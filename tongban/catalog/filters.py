"""Catalogue filters shared by the pages and the API."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, OrderBy, QuerySet
from django.db.models.functions import Collate

from tongban.catalog.models import MODE_FIELDS, Item, Mode


def by_code(field: str = "code") -> OrderBy:
    """Order by item code character by character on every database.

    SQLite compares bytes; a PostgreSQL cluster created with an ICU or en_US collation would sort
    "a-2" before "A1". The "C" collation makes PostgreSQL agree with SQLite (and with Python).
    """
    if connection.vendor == "postgresql":
        return Collate(F(field), "C").asc()
    return F(field).asc()


def filter_items(qs: QuerySet[Item], *, department: int | None = None, region: str | None = None,
                 item_class: str | None = None, item_type: str | None = None,
                 mode: str | None = None) -> QuerySet[Item]:
    if department:
        qs = qs.filter(competences__department_id=department)
    if region:
        qs = qs.filter(competences__region__code=region)
    if item_class:
        qs = qs.filter(item_class=item_class)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if mode:
        field = MODE_FIELDS.get(Mode(mode)) if mode in Mode.values else None
        qs = qs.filter(**{field: True}) if field else qs.none()
    return qs
