"""Shared fixtures: the two regions with a few departments, and the full demo catalogue."""

from __future__ import annotations

import pytest

from testsupport.data import SHARED_DATA, shared_file  # noqa: F401  (re-exported: tests import them from here)
from tongban.catalog.models import Department, Region


@pytest.fixture
def regions(db) -> dict[str, Region]:
    tongzhou = Region.objects.create(code="110112", name="北京城市副中心（通州区）", short_name="通州",
                                     kind=Region.Kind.DISTRICT)
    langfang = Region.objects.create(code="131000", name="廊坊市", short_name="廊坊", kind=Region.Kind.CITY)
    for region, names in (
        (tongzhou, ["北京市通州区人力资源和社会保障局", "北京市通州区市场监督管理局"]),
        (langfang, ["廊坊市人力资源和社会保障局", "廊坊市市场监督管理局"]),
    ):
        for name in names:
            Department.objects.create(region=region, name=name)
    return {"110112": tongzhou, "131000": langfang}


@pytest.fixture
def demo(db):
    """The full demo (regions, centres, channels, 523 items): do_load_demo's summary.

    Loaded for real once per process, then copied in (testsupport.demo): seconds less per test.
    """
    from testsupport.demo import load_demo

    return load_demo()

