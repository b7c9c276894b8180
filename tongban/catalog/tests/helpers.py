"""Small builders for catalogue tests."""

from __future__ import annotations

from typing import Any

from tongban.catalog.actions import ItemData, MaterialData, do_import_items

TZ_RSJ = "北京市通州区人力资源和社会保障局"
LF_RSJ = "廊坊市人力资源和社会保障局"
TZ_SCJ = "北京市通州区市场监督管理局"
LF_SCJ = "廊坊市市场监督管理局"


def item(code: str, name: str, *, market: bool = False, **overrides) -> ItemData:
    tz, lf = (TZ_SCJ, LF_SCJ) if market else (TZ_RSJ, LF_RSJ)
    fields: dict[str, Any] = dict(
        code=code,
        name=name,
        item_type="公共服务",
        item_class="高频便民事项",
        departments=(("110112", tz), ("131000", lf)),
        materials=(MaterialData("申请人居民身份证", "原件", 1, "纸质或电子", True, True),),
        legal_limit_days=20,
        promised_limit_days=5,
        modes=("全程网办",),
    )
    fields.update(overrides)
    return ItemData(**fields)


def load(*rows: ItemData):
    return do_import_items(list(rows), source="test")
