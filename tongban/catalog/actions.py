"""Business operations on the catalogue. Every write to items goes through here.

`ItemData` is the one validated, database-independent shape of an item: the importer produces it,
the exporter writes it, the demo loader builds it, and `ItemVersion.snapshot` stores it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from django.db import IntegrityError, transaction

from tongban.catalog import search
from tongban.catalog.models import (
    CHANNEL_FIELDS,
    MODE_FIELDS,
    ChannelKind,
    Competence,
    Department,
    Item,
    ItemVersion,
    Material,
    Region,
)
from tongban.core.errors import Invalid


class CatalogError(Invalid):
    """A catalogue operation was refused; the message is shown to the user as is."""

    code = "catalog.invalid"


@dataclass(frozen=True)
class MaterialData:
    name: str
    kind: str = Material.Kind.ORIGINAL
    copies: int = 1
    form: str = Material.Form.PAPER
    e_licence: bool = False
    required: bool = True


@dataclass(frozen=True)
class ItemData:
    code: str
    name: str
    item_type: str
    item_class: str
    departments: tuple[tuple[str, str], ...]  # (region code, department name), sorted by region code
    legal_basis: str = ""
    conditions: str = ""
    materials: tuple[MaterialData, ...] = ()
    legal_limit_days: int | None = None
    promised_limit_days: int | None = None
    fee: str = "不收费"
    channels: tuple[str, ...] = (ChannelKind.WINDOW.value,)  # ChannelKind values
    modes: tuple[str, ...] = ()  # Mode values
    standard_version: str = ""
    keywords: tuple[str, ...] = ()
    # 到现场次数; None (a file without the column) keeps the stored value, 1 for a new item (do_import_items)
    visits: int | None = 1

    def as_dict(self) -> dict:
        data = asdict(self)
        data["departments"] = [list(pair) for pair in self.departments]
        data["materials"] = [asdict(m) for m in self.materials]
        data["channels"] = list(self.channels)
        data["modes"] = list(self.modes)
        data["keywords"] = list(self.keywords)
        return data


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    departments_created: list[str] = field(default_factory=list)


def item_data(item: Item) -> ItemData:
    """The ItemData of a stored item (uses prefetched competences/materials when present)."""
    competences = sorted(item.competences.all(), key=lambda c: c.region.code)
    return ItemData(
        code=item.code,
        name=item.name,
        item_type=item.item_type,
        item_class=item.item_class,
        departments=tuple((c.region.code, c.department.name) for c in competences),
        legal_basis=item.legal_basis,
        conditions=item.conditions,
        materials=tuple(
            MaterialData(m.name, m.kind, m.copies, m.form, m.e_licence, m.required)
            for m in sorted(item.materials.all(), key=lambda m: m.position)
        ),
        legal_limit_days=item.legal_limit_days,
        promised_limit_days=item.promised_limit_days,
        fee=item.fee,
        channels=tuple(kind.value for kind, name in CHANNEL_FIELDS.items() if getattr(item, name)),
        modes=tuple(mode.value for mode, name in MODE_FIELDS.items() if getattr(item, name)),
        standard_version=item.standard_version,
        keywords=tuple(k for k in item.keywords.split("；") if k),
        visits=item.visits,
    )


def items_with_details():
    return Item.objects.prefetch_related("competences__region", "competences__department", "materials")


def _apply(item: Item, data: ItemData) -> None:
    for name in ("code", "name", "item_type", "item_class", "legal_basis", "conditions",
                 "legal_limit_days", "promised_limit_days", "fee", "standard_version", "visits"):
        setattr(item, name, getattr(data, name))
    item.keywords = "；".join(data.keywords)
    for mode, name in MODE_FIELDS.items():
        setattr(item, name, mode.value in data.modes)
    for kind, name in CHANNEL_FIELDS.items():
        setattr(item, name, kind.value in data.channels)


def _details(item: Item, data: ItemData, departments: dict[tuple[str, str], Department]):
    competences = [
        Competence(item=item, region=departments[pair].region, department=departments[pair])
        for pair in data.departments
    ]
    materials = [
        Material(item=item, position=i, **asdict(m)) for i, m in enumerate(data.materials, start=1)
    ]
    return competences, materials


def check_departments(rows: list[ItemData], *, create: bool) -> list[tuple[str, str]]:
    """The (region, department) pairs the rows name that do not exist yet.

    Raises CatalogError for an unknown region, or for unknown departments when `create` is False.
    """
    regions = set(Region.objects.values_list("code", flat=True))
    known = set(Department.objects.values_list("region__code", "name"))
    missing: list[tuple[str, str]] = []
    for row in rows:
        for region_code, dept_name in row.departments:
            if region_code not in regions:
                raise CatalogError(f"未知区域代码：{region_code}", code="catalog.unknown_region")
            if (region_code, dept_name) not in known and (region_code, dept_name) not in missing:
                missing.append((region_code, dept_name))
    if missing and not create:
        raise CatalogError("未知部门：" + "、".join(name for _, name in missing), code="catalog.unknown_department")
    return missing


def do_import_items(
    rows: list[ItemData], *, source: str, changed_by: str = "", note: str = "", create_departments: bool = False
) -> ImportSummary:
    """Create or update items from validated rows, all or nothing, in one transaction.

    Unchanged rows are left alone (no new version). Changed items get version + 1 and a snapshot.
    Locks: the items being updated (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transaction already serialises writers). Two imports creating the same new code at once: the
    second fails on the unique code and changes nothing.
    """
    try:
        return _import_items(rows, source=source, changed_by=changed_by, note=note,
                             create_departments=create_departments)
    except IntegrityError as exc:
        raise CatalogError(f"导入与另一项同时进行的修改冲突，未导入任何事项，请重试（{exc}）",
                           code="catalog.import_conflict") from None


def _import_items(rows: list[ItemData], *, source: str, changed_by: str, note: str,
                  create_departments: bool) -> ImportSummary:
    summary = ImportSummary()
    with transaction.atomic():
        missing = check_departments(rows, create=create_departments)
        regions = {r.code: r for r in Region.objects.all()}
        for region_code, name in missing:
            Department.objects.create(region=regions[region_code], name=name)
            summary.departments_created.append(f"{regions[region_code].short_name}：{name}")
        departments = {(d.region.code, d.name): d for d in Department.objects.select_related("region")}
        existing = {
            item.code: item
            for item in items_with_details().select_for_update().filter(code__in=[r.code for r in rows])
        }
        new: list[tuple[Item, ItemData]] = []
        changed: list[tuple[Item, ItemData]] = []
        for row in rows:
            item = existing.get(row.code)
            if row.visits is None:  # the file has no 到现场次数 column: keep what the item has
                row = replace(row, visits=item.visits if item is not None else 1)
            if item is None:
                item = Item(version=1)
                _apply(item, row)
                new.append((item, row))
            elif item_data(item) == row:
                summary.unchanged += 1
            else:
                _apply(item, row)
                item.version += 1
                item.save()
                item.competences.all().delete()
                item.materials.all().delete()
                changed.append((item, row))
        Item.objects.bulk_create([item for item, _ in new], batch_size=1000)
        competences: list[Competence] = []
        materials: list[Material] = []
        for item, row in new + changed:
            c, m = _details(item, row, departments)
            competences += c
            materials += m
        Competence.objects.bulk_create(competences, batch_size=2000)
        Material.objects.bulk_create(materials, batch_size=2000)
        ItemVersion.objects.bulk_create(
            [
                ItemVersion(item=item, version=item.version, snapshot=row.as_dict(), source=source,
                            note=note, changed_by=changed_by)
                for item, row in new + changed
            ],
            batch_size=1000,
        )
        search.changed()
    summary.created, summary.updated = len(new), len(changed)
    return summary


def do_record_change(item: Item, *, source: str, changed_by: str, note: str = "") -> bool:
    """After an edit made outside the importer (the admin), version the item if it changed.

    Returns True when a new version was recorded. Locks: the item row.
    """
    with transaction.atomic():
        item = items_with_details().select_for_update().get(pk=item.pk)
        data = item_data(item)
        latest = item.versions.order_by("-version").first()
        if latest is not None and latest.snapshot == data.as_dict():
            return False
        version = (latest.version + 1) if latest else 1
        Item.objects.filter(pk=item.pk).update(version=version)
        ItemVersion.objects.create(item=item, version=version, snapshot=data.as_dict(), source=source,
                                   note=note, changed_by=changed_by)
        search.changed()
    return True

