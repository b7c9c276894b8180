"""Shared fixtures: the two regions with a few departments, and the full demo catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from tongban.catalog.models import Department, Region

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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
    """The full demo (regions, centres, channels, 523 items)."""
    from tongban.demo.actions import do_load_demo

    return do_load_demo()


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test with a clear message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real data not available: {path} (a fresh clone has no ../shared)")
    return path
