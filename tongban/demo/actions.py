"""Load the demo: the two regions of the seed, their centres and channels, and the 523 shared items.

Idempotent: running it again changes nothing (items are upserted through the catalogue importer,
which records no new version for an unchanged item).
"""

from __future__ import annotations

from django.db import transaction

from tongban.catalog.actions import ImportSummary, ItemData, MaterialData, do_import_items
from tongban.catalog.models import Channel, ChannelKind, ItemClass, Mode, Region, ServiceCentre
from tongban.demo import catalog_data

TONGZHOU, LANGFANG = "110112", "131000"
STANDARD_VERSION = "京冀区域通办统一审批标准 2021.1"

# (code, name, short name, kind, parent code)
REGIONS = [
    (TONGZHOU, "北京城市副中心（通州区）", "通州", Region.Kind.DISTRICT, None),
    (LANGFANG, "廊坊市", "廊坊", Region.Kind.CITY, None),
    ("131082", "三河市", "三河", Region.Kind.COUNTY, LANGFANG),
    ("131028", "大厂回族自治县", "大厂", Region.Kind.COUNTY, LANGFANG),
    ("131024", "香河县", "香河", Region.Kind.COUNTY, LANGFANG),
    # A functional zone has no 行政区划代码: an internal code that is not six digits.
    ("131000-LK", "廊坊临空经济区", "临空经济区", Region.Kind.ZONE, LANGFANG),
]

# (region code, centre name, address, hours)
CENTRES = [
    (TONGZHOU, "北京城市副中心政务服务中心", "北京市通州区", "工作日 9:00–17:00"),
    (LANGFANG, "廊坊市政务服务中心", "河北省廊坊市", "工作日 9:00–17:00"),
    ("131082", "三河市政务服务中心", "河北省三河市", "工作日 8:30–17:30"),
    ("131028", "大厂回族自治县政务服务中心", "河北省廊坊市大厂回族自治县", "工作日 8:30–17:30"),
    ("131024", "香河县政务服务中心", "河北省廊坊市香河县", "工作日 8:30–17:30"),
    ("131000-LK", "廊坊临空经济区政务服务中心", "河北省廊坊市广阳区", "工作日 9:00–17:00"),
]

# Self-service terminals of each region in the other's halls: (owner region, centre name)
TERMINALS = [
    (TONGZHOU, "廊坊市政务服务中心"),
    (TONGZHOU, "三河市政务服务中心"),
    (TONGZHOU, "大厂回族自治县政务服务中心"),
    (TONGZHOU, "香河县政务服务中心"),
    (LANGFANG, "北京城市副中心政务服务中心"),
]

# (kind, name, region, note)
REMOTE_CHANNELS = [
    (ChannelKind.MOBILE, "京通（北京移动政务服务）", TONGZHOU, "查办事指南、预约、在线申报、查进度"),
    (ChannelKind.MOBILE, "冀时办（河北移动政务服务）", LANGFANG, "查办事指南、预约、在线申报、查进度"),
    (ChannelKind.BANK, "通州区银行网点政银合作服务点", TONGZHOU, "政银合作：代收申请材料并转交，不作审批决定"),
    (ChannelKind.BANK, "三河市燕郊银行网点政银合作服务点", LANGFANG, "政银合作：代收申请材料并转交，不作审批决定"),
]
BANK_DEPARTMENTS = {"rsj", "ybj", "gjj"}  # social insurance, medical insurance, housing fund


def demo_items() -> list[ItemData]:
    """The 523 items as ItemData, with stable codes (JJTB-BM-#### 便民, JJTB-ZW-#### 政务服务)."""
    rows: list[ItemData] = []
    counters = {ItemClass.CONVENIENCE.value: 0, ItemClass.GOVERNMENT.value: 0}
    prefixes = {ItemClass.CONVENIENCE.value: "BM", ItemClass.GOVERNMENT.value: "ZW"}
    for (name, dept, item_type, item_class, legal, promised, fee, basis, conditions, materials, modes,
         keywords) in catalog_data.ITEMS:
        counters[item_class] += 1
        tongzhou_dept, langfang_dept = catalog_data.DEPARTMENTS[dept]
        online = Mode.ONLINE.value in modes
        channels = [ChannelKind.WINDOW.value]
        if online and item_class == ItemClass.CONVENIENCE:
            channels.append(ChannelKind.TERMINAL.value)
        if online:
            channels.append(ChannelKind.MOBILE.value)
        if dept in BANK_DEPARTMENTS and item_class == ItemClass.CONVENIENCE:
            channels.append(ChannelKind.BANK.value)
        rows.append(ItemData(
            code=f"JJTB-{prefixes[item_class]}-{counters[item_class]:04d}",
            name=name,
            item_type=item_type,
            item_class=item_class,
            departments=((TONGZHOU, tongzhou_dept), (LANGFANG, langfang_dept)),
            legal_basis=catalog_data.LEGAL_BASES[basis],
            conditions=conditions,
            materials=tuple(MaterialData(*catalog_data.MATERIALS[key]) for key in materials),
            legal_limit_days=legal,
            promised_limit_days=promised,
            fee=fee,
            channels=tuple(channels),
            modes=tuple(m.value for m in Mode if m.value in modes),
            standard_version=STANDARD_VERSION,
            keywords=tuple(keywords),
        ))
    return rows


def do_load_demo() -> ImportSummary:
    """Create (or confirm) the demo organisations and catalogue. Locks: one write transaction."""
    with transaction.atomic():
        regions: dict[str, Region] = {}
        for code, name, short, kind, parent in REGIONS:
            regions[code], _ = Region.objects.update_or_create(
                code=code, defaults={"name": name, "short_name": short, "kind": kind,
                                     "parent": regions.get(parent) if parent else None})
        centres: dict[str, ServiceCentre] = {}
        for region, name, address, hours in CENTRES:
            centres[name], _ = ServiceCentre.objects.update_or_create(
                name=name, defaults={"region": regions[region], "address": address, "hours": hours})
            Channel.objects.update_or_create(
                name=f"{name}区域通办专窗",
                defaults={"kind": ChannelKind.WINDOW, "region": regions[region], "centre": centres[name],
                          "note": "受理京冀两地通办事项"})
        for owner, centre in TERMINALS:
            Channel.objects.update_or_create(
                name=f"{regions[owner].short_name}政务自助终端（{centre}）",
                defaults={"kind": ChannelKind.TERMINAL, "region": regions[owner], "centre": centres[centre],
                          "note": f"在本大厅自助办理{regions[owner].short_name}事项"})
        for channel_kind, name, region, note in REMOTE_CHANNELS:
            Channel.objects.update_or_create(
                name=name, defaults={"kind": channel_kind, "region": regions[region], "note": note})
        return do_import_items(demo_items(), source="demo", note="演示数据", create_departments=True)
