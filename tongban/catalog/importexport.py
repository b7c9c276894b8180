"""Catalogue files: read CSV/XLSX into validated `ItemData`, write them back.

A file is validated completely before anything is written: every bad row is reported with its line
number (the line the record starts on, counting the header as line 1), and a file with any error
imports nothing. Export writes the canonical columns, which import reads back unchanged. The cell
formats are in docs/catalog.md; the checks of one row are in rowcheck.py.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tongban.catalog.actions import ItemData
from tongban.catalog.models import ChannelKind
from tongban.catalog.rowcheck import Directory, check_row


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
    Column("visits", "到现场次数"),  # optional: a file without it keeps each item's stored value
]
FIELDS = {c.field: c for c in COLUMNS}
MAX_SAFE_INTEGER = 2**53  # beyond this an Excel number has already lost digits


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
    departments_to_create: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# A record: (line number, cells, problems found while reading the cells)
Record = tuple[int, list[str], list[str]]


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
              encoding: str = "utf-8-sig", directory: Directory | None = None) -> ReadResult:
    """Read and validate a CSV or XLSX catalogue file. Never writes anything."""
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            records = _xlsx_records(path)
        else:
            records = _csv_records(path.read_bytes(), encoding)
    except _FileError as exc:
        return ReadResult(errors=[RowError(line, message) for line, message in exc.problems])
    return validate_records(records, mapping=mapping or {}, region=region, directory=directory)


class _FileError(Exception):
    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(problems[0][1])
        self.problems = problems


def _csv_records(raw: bytes, encoding: str) -> list[Record]:
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise _FileError([(1, f"未知的文件编码：{encoding}")]) from None
    except UnicodeDecodeError:
        bad = []
        for number, raw_line in enumerate(raw.split(b"\n"), start=1):
            try:
                raw_line.decode(encoding)
            except UnicodeDecodeError as exc:
                bad.append((number, f"无法按 {encoding} 解码（本行第 {exc.start + 1} 字节）；"
                                    "请另存为 UTF-8，或用 --encoding gb18030 导入"))
        raise _FileError(bad or [(1, f"文件编码不是 {encoding}")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[Record] = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells, []))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _FileError([(line, f"CSV 格式错误：{exc}")]) from None
    return records


def _xlsx_records(path: Path) -> list[Record]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise _FileError([(1, f"无法读取 Excel 文件：{exc}")]) from None
    records: list[Record] = []
    try:
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            problems: list[str] = []
            records.append((number, [_cell_text(v, problems) for v in values], problems))
    finally:
        workbook.close()
    return records


def _cell_text(value: object, problems: list[str]) -> str:
    """An Excel cell as text. Numbers that lost digits, dates and booleans are refused, not guessed."""
    if value is None:
        return ""
    if isinstance(value, bool | datetime.date | datetime.time | datetime.timedelta):
        problems.append(f"单元格 {value!s} 是日期或逻辑值；请把该列设为文本格式")
        return str(value)
    if isinstance(value, int | float) and abs(value) >= MAX_SAFE_INTEGER:
        problems.append(f"数字 {value!r} 过长，Excel 已丢失精度；请把该列设为文本格式")
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_records(records: list[Record], *, mapping: dict[str, str], region: str | None,
                     directory: Directory | None = None) -> ReadResult:
    result = ReadResult()
    if not records:
        result.errors.append(RowError(1, "文件为空"))
        return result
    header_line, header, _ = records[0]
    header = [h.strip().lstrip("\ufeff") for h in header]
    index, errors = _header_index(header, mapping)
    if errors:
        result.errors += [RowError(header_line, e) for e in errors]
        return result
    result.ignored_columns = [h for i, h in enumerate(header) if i not in set(index.values()) and h]
    first_line: dict[str, int] = {}
    for line, record, problems in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        row_errors = [RowError(line, p) for p in problems]
        if any(cell.strip() for cell in record[len(header):]):
            row_errors.append(RowError(line, f"本行有 {len(record)} 列，多于表头的 {len(header)} 列"
                                             "（单元格中的逗号是否少了引号？）"))
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in index.items()}
        code = cells.get("code", "")
        if code and code in first_line:
            row_errors.append(RowError(line, f"事项编码 {code} 与第 {first_line[code]} 行重复", "事项编码"))
        first_line.setdefault(code, line)
        def report(column: str, message: str, line: int = line, errors: list[RowError] = row_errors) -> None:
            errors.append(RowError(line, message, FIELDS[column].header))

        row = check_row(cells, region=region, directory=directory, report=report)
        if row_errors:
            result.errors += row_errors
        elif row is not None:
            result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(RowError(header_line, "文件中没有事项"))
    if directory is not None:
        result.departments_to_create = list(directory.to_create)
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
        "" if row.visits is None else str(row.visits),
    ]


def write_csv(rows: list[ItemData], out: io.TextIOBase) -> None:
    """UTF-8 with BOM so that Excel shows the Chinese correctly; import strips the BOM."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in rows:
        writer.writerow(export_cells(row))


def write_xlsx(rows: list[ItemData], path: Path) -> None:
    """Every cell is written as text: a value starting with '=' stays a value, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("事项清单")

    def text_row(values: list[str]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        return cells

    sheet.append(text_row([c.header for c in COLUMNS]))
    for row in rows:
        sheet.append(text_row(export_cells(row)))
    workbook.save(path)
