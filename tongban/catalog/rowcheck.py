"""Validation of one catalogue row: cells (strings) → ItemData, or every problem found.

The formats of the cells are described in docs/catalog.md. `Directory` carries what the database
knows (regions, departments) so that an unknown department is reported on its own line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tongban.catalog.actions import ItemData, MaterialData
from tongban.catalog.models import (
    CODE_PATTERN,
    ITEM_TYPE_CODES,
    MAX_COPIES,
    MAX_LIMIT_DAYS,
    MAX_VISITS,
    ChannelKind,
    Department,
    Item,
    ItemClass,
    ItemType,
    Material,
    Mode,
    Region,
)

CODE_RE = re.compile(CODE_PATTERN)
DIGITS_RE = re.compile(r"[0-9]{1,4}")  # ASCII only: str.isdigit() accepts "²"
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LABEL_SEPARATORS = re.compile(r"[；;，,、]")
KEYWORD_SEPARATORS = re.compile(r"[；;]")  # keywords may contain 、 and ，
YES = {"是", "y", "yes", "true", "1"}
NO = {"否", "n", "no", "false", "0"}
DEFAULT_CLASS = ItemClass.GOVERNMENT
CHANNEL_LABELS = {ChannelKind(k).label: k for k in ("window", "terminal", "mobile", "bank")}
MODE_LABELS = {m.value: m.value for m in Mode}  # ordered as the enum: exports are stable


def max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass
class Directory:
    """Regions and departments known to the database, and whether unknown departments may be created."""

    regions: set[str] = field(default_factory=set)
    departments: set[tuple[str, str]] = field(default_factory=set)
    create_departments: bool = False
    to_create: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_database(cls, *, create_departments: bool = False) -> Directory:
        return cls(
            regions=set(Region.objects.values_list("code", flat=True)),
            departments=set(Department.objects.values_list("region__code", "name")),
            create_departments=create_departments,
        )


Report = Callable[[str, str], None]  # (field, message)


def check_row(cells: dict[str, str], *, region: str | None, directory: Directory | None,
              report: Report) -> ItemData | None:
    """Validate one row's cells; report every problem; return ItemData only when there is none."""
    problems = 0

    def error(column: str, message: str) -> None:
        nonlocal problems
        problems += 1
        report(column, message)

    for name, value in cells.items():
        if CONTROL_RE.search(value):
            error(name, "含有不可见的控制字符")
    code, name = cells.get("code", ""), cells.get("name", "")
    if not code:
        error("code", "事项编码为空")
    elif not CODE_RE.fullmatch(code) or len(code) > max_length(Item, "code"):
        error("code", f"事项编码只能由字母、数字和 . _ - 组成，且不超过 {max_length(Item, 'code')} 个字符：{code!r}")
    if not name:
        error("name", "事项名称为空")
    for column in ("name", "fee", "standard_version"):
        if len(cells.get(column, "")) > max_length(Item, column):
            error(column, f"超过 {max_length(Item, column)} 个字符")
    raw_type = cells.get("item_type", "")
    item_type = ITEM_TYPE_CODES.get(raw_type.lstrip("0") or raw_type) or (
        raw_type if raw_type in ItemType.values else None)
    if item_type is None:
        error("item_type", f"未知的事项类型 {raw_type!r}；可填：{'、'.join(ItemType.values)} 或其国家标准代码")
    item_class = cells.get("item_class") or DEFAULT_CLASS
    if item_class not in ItemClass.values:
        error("item_class", f"事项类别应为 {'或'.join(ItemClass.values)}")
    departments = _departments(cells.get("department", ""), region, directory, lambda m: error("department", m))
    legal = _days(cells.get("legal_limit_days", ""), lambda m: error("legal_limit_days", m))
    promised = _days(cells.get("promised_limit_days", ""), lambda m: error("promised_limit_days", m))
    if legal is not None and promised is not None and promised > legal:
        error("promised_limit_days", f"承诺时限 {promised} 天不能超过法定时限 {legal} 天")
    channels = _labels(cells.get("channels", ""), CHANNEL_LABELS, lambda m: error("channels", m))
    modes = _labels(cells.get("modes", ""), MODE_LABELS, lambda m: error("modes", m))
    materials = _materials(cells.get("materials", ""), lambda m: error("materials", m))
    visits = _visits(cells.get("visits", ""), lambda m: error("visits", m))
    keywords = tuple(k.strip() for k in KEYWORD_SEPARATORS.split(cells.get("keywords", "")) if k.strip())
    if len("；".join(keywords)) > max_length(Item, "keywords"):
        error("keywords", f"关键词合计超过 {max_length(Item, 'keywords')} 个字符")
    if problems:
        return None
    return ItemData(
        code=code,
        name=name,
        item_type=str(item_type),
        item_class=item_class,
        departments=departments,
        legal_basis=cells.get("legal_basis", ""),
        conditions=cells.get("conditions", ""),
        materials=materials,
        legal_limit_days=legal,
        promised_limit_days=promised,
        fee=cells.get("fee", ""),
        # Every item is received at least at the 区域通办专窗.
        channels=channels or (ChannelKind.WINDOW.value,),
        modes=modes,
        standard_version=cells.get("standard_version", ""),
        keywords=keywords,
        visits=visits,
    )


def _departments(text: str, region: str | None, directory: Directory | None,
                 error: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in re.split(r"[；;\n]", text)):
        if not part:
            continue
        region_code, sep, name = part.partition("=")
        if not sep:
            if region is None:
                error(f"部门 {part!r} 未注明区域；写成 区划代码=部门名称，或导入时指定 --region")
                continue
            region_code, name = region, part
        region_code, name = region_code.strip(), name.strip()
        if not name or len(name) > 100:
            error(f"部门名称为空或超过 100 个字符：{part!r}")
        elif region_code in pairs:
            error(f"区域 {region_code} 填了两个主管部门")
        elif directory is not None and region_code not in directory.regions:
            error(f"未知区域代码：{region_code}（先用 tongban catalog add-region 新增）")
        elif directory is not None and (region_code, name) not in directory.departments:
            if directory.create_departments:
                if (region_code, name) not in directory.to_create:
                    directory.to_create.append((region_code, name))
                pairs[region_code] = name
            else:
                error(f"未知部门：{name}（区域 {region_code}；可加 --create-departments 自动新建）")
        else:
            pairs[region_code] = name
    if not pairs and not text.strip(" ；;\n"):
        error("主管部门为空")
    return tuple(sorted(pairs.items()))


def _days(text: str, error: Callable[[str], None]) -> int | None:
    if not text:
        return None
    value = text.removesuffix("个工作日").removesuffix("工作日").removesuffix("天").strip()
    if value == "即办":
        return 0
    if not DIGITS_RE.fullmatch(value) or int(value) > MAX_LIMIT_DAYS:
        error(f"时限应为 0–{MAX_LIMIT_DAYS} 的整数（工作日），或“即办”，而不是 {text!r}")
        return None
    return int(value)


def _visits(text: str, error: Callable[[str], None]) -> int | None:
    """到现场次数: 0–MAX_VISITS (“次” allowed); empty (or no such column) = not given (None)."""
    if not text:
        return None
    value = text.removesuffix("次").strip()
    if not DIGITS_RE.fullmatch(value) or int(value) > MAX_VISITS:
        error(f"到现场次数应为 0–{MAX_VISITS} 的整数，而不是 {text!r}")
        return None
    return int(value)


def _labels(text: str, allowed: dict[str, str], error: Callable[[str], None]) -> tuple[str, ...]:
    values: list[str] = []
    for label in (p.strip() for p in LABEL_SEPARATORS.split(text)):
        if not label:
            continue
        if label not in allowed:
            error(f"未知的取值 {label!r}；可填：{'、'.join(allowed)}")
        elif allowed[label] not in values:
            values.append(allowed[label])
    order = list(allowed.values())
    return tuple(sorted(values, key=order.index))


def _materials(text: str, error: Callable[[str], None]) -> tuple[MaterialData, ...]:
    materials: list[MaterialData] = []
    for number, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        problems = []
        if len(parts) > 6 or not parts[0]:
            problems.append("应为 名称|原件/复印件|份数|纸质/电子|可用电子证照 是/否|必需 是/否（名称中不能有 |）")
            parts = parts[:6]
        parts += [""] * (6 - len(parts))
        name, kind, copies, form, e_licence, required = parts
        kind, copies, form = kind or Material.Kind.ORIGINAL, copies or "1", form or Material.Form.PAPER
        if len(name) > max_length(Material, "name"):
            problems.append(f"材料名称超过 {max_length(Material, 'name')} 个字符")
        if kind not in Material.Kind.values:
            problems.append(f"原件/复印件应为 {'、'.join(Material.Kind.values)}")
        if not DIGITS_RE.fullmatch(copies) or not 1 <= int(copies) <= MAX_COPIES:
            problems.append(f"份数应为 1–{MAX_COPIES}")
        if form not in Material.Form.values:
            problems.append(f"材料形式应为 {'、'.join(Material.Form.values)}")
        if any(v and v.lower() not in YES | NO for v in (e_licence, required)):
            problems.append("是否可用电子证照、是否必需应填 是 或 否")
        if problems:
            error(f"第 {number} 项材料 {line!r}：" + "；".join(problems))
            continue
        materials.append(MaterialData(name, kind, int(copies), form, e_licence.lower() in YES,
                                      required.lower() not in NO))
    return tuple(materials)
