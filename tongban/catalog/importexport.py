"""Catalogue files: read CSV/XLSX into validated `ItemData`, write them back.

A file is validated completely before anything is written: every bad row is reported with its line
number (the line the record starts on, counting the header as line 1), and a file with any error
imports nothing. Export writes the canonical columns, which import reads back unchanged.

Cell formats (docs/catalog.md has examples):
- 主管部门: ``110112=北京市通州区人力资源和社会保障局；131000=廊坊市人力资源和社会保障局``; a plain
  department name is allowed when the import names a region (``--region``).
- 申请材料: one material per line, ``名称|原件|1|纸质或电子|是|是`` = name | 原件/复印件/原件及复印件 |
  copies | 纸质/电子/纸质或电子 | 可用电子证照替代 是/否 | 必需 是/否.
- 办理渠道, 通办模式, 关键词: labels separated by ``；``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tongban.catalog.actions import CHANNEL_VALUES, MODE_VALUES, ItemData, MaterialData
from tongban.catalog.models import ITEM_TYPE_CODES, ChannelKind, ItemClass, ItemType, Material


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False


COLUMNS = [
    Column("code", "事项编码", required=True),
    Column("name", "事项名称", required=True),
    Column("item_type", "事项类型", required=True),
    Column("item_class", "事项类别"),
    Column("department", "主管部门", required=True),
    Column("legal_basis", "设定依据"),
    Column("conditions", "受理条件"),
    Column("materials", "申请材料"),
    Column("legal_limit_days", "法定办结时限（工作日）"),
    Column("promised_limit_days", "承诺办结时限（工作日）"),
    Column("fee", "收费标准"),
    Column("channels", "办理渠道"),
    Column("modes", "通办模式"),
    Column("standard_version", "审批标准版本"),
    Column("keywords", "关键词"),
]
FIELDS = {c.field: c for c in COLUMNS}
DEFAULT_CLASS = ItemClass.GOVERNMENT
SEPARATORS = re.compile(r"[；;，,、]")
YES = {"是", "y", "yes", "true", "1"}
NO = {"否", "n", "no", "false", "0", ""}
CHANNEL_LABELS = {c.label: c.value for c in ChannelKind if c.value in CHANNEL_VALUES}
MAX_LIMIT_DAYS = 366


@dataclass
class RowError:
    line: int
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = f"第 {self.line} 行" + (f"［{self.column}］" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class ReadResult:
    rows: list[ItemData] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["code=itemCode", "name=item_name"]`` → {"code": "itemCode", ...}; raises ValueError."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field_name, sep, column = pair.partition("=")
        field_name, column = field_name.strip(), column.strip()
        if not sep or not column:
            raise ValueError(f"列映射格式应为 字段=列名：{pair!r}")
        if field_name not in FIELDS:
            raise ValueError(f"未知字段 {field_name!r}；可用字段：{', '.join(FIELDS)}")
        mapping[field_name] = column
    return mapping


def read_file(path: Path, *, mapping: dict[str, str] | None = None, region: str | None = None,
              encoding: str = "utf-8-sig") -> ReadResult:
    """Read and validate a CSV or XLSX catalogue file. Never writes anything."""
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            records = list(_xlsx_records(path))
        else:
            records = list(_csv_records(path.read_bytes(), encoding))
    except _FileError as exc:
        return ReadResult(errors=[RowError(exc.line, str(exc))])
    return validate_records(records, mapping=mapping or {}, region=region)


class _FileError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _csv_records(raw: bytes, encoding: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _FileError(line, f"文件编码不是 {encoding}（第 {exc.start + 1} 字节无法解码）；"
                               "请另存为 UTF-8，或用 --encoding gb18030 导入") from None
    except LookupError:
        raise _FileError(0, f"未知的文件编码：{encoding}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _FileError(line, f"CSV 格式错误：{exc}") from None


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _FileError(0, f"无法读取 Excel 文件：{exc}") from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_records(records: list[tuple[int, list[str]]], *, mapping: dict[str, str],
                     region: str | None) -> ReadResult:
    result = ReadResult()
    if not records:
        result.errors.append(RowError(1, "文件为空"))
        return result
    header_line, header = records[0]
    header = [h.strip() for h in header]
    index, errors = _header_index(header, mapping)
    if errors:
        result.errors += [RowError(header_line, e) for e in errors]
        return result
    used = set(index.values())
    result.ignored_columns = [h for i, h in enumerate(header) if i not in used and h]
    first_line: dict[str, int] = {}
    for line, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in index.items()}
        row, row_errors = _validate_row(line, cells, region)
        if row is not None and row.code in first_line:
            row_errors.append(RowError(line, f"事项编码 {row.code} 与第 {first_line[row.code]} 行重复", "事项编码"))
        elif row is not None:
            first_line[row.code] = line
        if row_errors:
            result.errors += row_errors
        elif row is not None:
            result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(RowError(header_line, "文件中没有事项"))
    return result


def _header_index(header: list[str], mapping: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """Field → column index, from the mapping, else the Chinese header, else the field name."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen and h:
            errors.append(f"表头有重复的列：{h}")
        seen.setdefault(h, i)
    index: dict[str, int] = {}
    for column in COLUMNS:
        wanted = mapping.get(column.field)
        candidates = [wanted] if wanted else [column.header, column.field]
        found = next((seen[c] for c in candidates if c in seen), None)
        if found is not None:
            index[column.field] = found
        elif wanted:
            errors.append(f"映射的列 {wanted!r}（{column.field}）不在表头中；表头为：{'，'.join(header)}")
        elif column.required:
            errors.append(f"缺少必需的列：{column.header}（{column.field}）")
    return index, errors


def _validate_row(line: int, cells: dict[str, str], region: str | None) -> tuple[ItemData | None, list[RowError]]:
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(line, message, FIELDS[column].header))

    code, name = cells.get("code", ""), cells.get("name", "")
    if not code:
        error("code", "事项编码为空")
    elif len(code) > 80 or re.search(r"\s", code):
        error("code", "事项编码不能含空白且不超过 80 个字符")
    if not name:
        error("name", "事项名称为空")
    elif len(name) > 200:
        error("name", "事项名称超过 200 个字符")
    raw_type = cells.get("item_type", "")
    item_type = ITEM_TYPE_CODES.get(raw_type.lstrip("0") or raw_type) or (
        raw_type if raw_type in ItemType.values else None
    )
    if item_type is None:
        error("item_type", f"未知的事项类型 {raw_type!r}；可填：{'、'.join(ItemType.values)} 或其国家标准代码")
    item_class = cells.get("item_class") or DEFAULT_CLASS
    if item_class not in ItemClass.values:
        error("item_class", f"事项类别应为 {'或'.join(ItemClass.values)}")
    departments = _departments(cells.get("department", ""), region, lambda m: error("department", m))
    legal = _days(cells.get("legal_limit_days", ""), lambda m: error("legal_limit_days", m))
    promised = _days(cells.get("promised_limit_days", ""), lambda m: error("promised_limit_days", m))
    if legal is not None and promised is not None and promised > legal:
        error("promised_limit_days", f"承诺时限 {promised} 天不能超过法定时限 {legal} 天")
    channels = _labels(cells.get("channels", ""), CHANNEL_LABELS, lambda m: error("channels", m))
    modes = _labels(cells.get("modes", ""), {m: m for m in MODE_VALUES}, lambda m: error("modes", m))
    materials = _materials(cells.get("materials", ""), lambda m: error("materials", m))
    if errors:
        return None, errors
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
        fee=cells.get("fee", "") or "不收费",
        channels=channels if "channels" in cells else (ChannelKind.WINDOW.value,),
        modes=modes,
        standard_version=cells.get("standard_version", ""),
        keywords=tuple(k.strip() for k in SEPARATORS.split(cells.get("keywords", "")) if k.strip()),
    ), []


def _departments(text: str, region: str | None, error) -> tuple[tuple[str, str], ...]:
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
            error(f"部门名称为空或过长：{part!r}")
        elif region_code in pairs:
            error(f"区域 {region_code} 填了两个主管部门")
        else:
            pairs[region_code] = name
    if not pairs and not text.strip():
        error("主管部门为空")
    return tuple(sorted(pairs.items()))


def _days(text: str, error) -> int | None:
    if not text:
        return None
    value = text.removesuffix("个工作日").removesuffix("工作日").removesuffix("天").strip()
    if value == "即办":
        return 0
    if not value.isdigit() or int(value) > MAX_LIMIT_DAYS:
        error(f"时限应为 0–{MAX_LIMIT_DAYS} 的整数（工作日），或“即办”，而不是 {text!r}")
        return None
    return int(value)


def _labels(text: str, allowed: dict[str, str], error) -> tuple[str, ...]:
    values: list[str] = []
    for label in (p.strip() for p in SEPARATORS.split(text)):
        if not label:
            continue
        if label not in allowed:
            error(f"未知的取值 {label!r}；可填：{'、'.join(allowed)}")
        elif allowed[label] not in values:
            values.append(allowed[label])
    order = list(allowed.values())
    return tuple(sorted(values, key=order.index))


def _materials(text: str, error) -> tuple[MaterialData, ...]:
    materials: list[MaterialData] = []
    for number, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (6 - len(parts))
        name, kind, copies, form, e_licence, required = parts[:6]
        problems = []
        if not name or len(parts) > 6:
            problems.append("应为 名称|原件/复印件|份数|纸质/电子|可用电子证照 是/否|必需 是/否")
        kind = kind or Material.Kind.ORIGINAL
        if kind not in Material.Kind.values:
            problems.append(f"原件/复印件应为 {'、'.join(Material.Kind.values)}")
        copies = copies or "1"
        if not copies.isdigit() or not 1 <= int(copies) <= 99:
            problems.append("份数应为 1–99")
        form = form or Material.Form.PAPER
        if form not in Material.Form.values:
            problems.append(f"材料形式应为 {'、'.join(Material.Form.values)}")
        if e_licence.lower() not in YES | NO or (required.lower() not in YES | NO):
            problems.append("是否可用电子证照、是否必需应填 是 或 否")
        if problems:
            error(f"第 {number} 项材料 {line!r}：" + "；".join(problems))
            continue
        materials.append(MaterialData(name, kind, int(copies), form, e_licence.lower() in YES,
                                      required == "" or required.lower() in YES))
    return tuple(materials)


# ---- export -------------------------------------------------------------------------------------

def export_cells(row: ItemData) -> list[str]:
    """The canonical cells of one item, in COLUMNS order."""
    labels = {c.value: c.label for c in ChannelKind}
    return [
        row.code,
        row.name,
        row.item_type,
        row.item_class,
        "；".join(f"{region}={name}" for region, name in row.departments),
        row.legal_basis,
        row.conditions,
        "\n".join(
            f"{m.name}|{m.kind}|{m.copies}|{m.form}|{'是' if m.e_licence else '否'}|{'是' if m.required else '否'}"
            for m in row.materials
        ),
        "" if row.legal_limit_days is None else str(row.legal_limit_days),
        "" if row.promised_limit_days is None else str(row.promised_limit_days),
        row.fee,
        "；".join(labels[c] for c in row.channels),
        "；".join(row.modes),
        row.standard_version,
        "；".join(row.keywords),
    ]


def write_csv(rows: list[ItemData], out: io.TextIOBase) -> None:
    """UTF-8 with BOM so that Excel shows the Chinese correctly; import strips the BOM."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in rows:
        writer.writerow(export_cells(row))


def write_xlsx(rows: list[ItemData], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("事项清单")
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append(export_cells(row))
    workbook.save(path)
