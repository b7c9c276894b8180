"""Reading training / prediction tables: CSV (UTF-8 or GB18030) and XLSX files, as texts and labels."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import overload

from tongban.textmining.errors import TrainingError


@overload
def read_table(path: str | Path, text_col: str | list[str], label_col: str) -> tuple[list[str], list[str]]: ...


@overload
def read_table(path: str | Path, text_col: str | list[str], label_col: None = None) -> tuple[list[str], None]: ...


def read_table(path: str | Path, text_col: str | list[str],
               label_col: str | None = None) -> tuple[list[str], list[str] | None]:
    """Texts (and labels) from a CSV (UTF-8, with or without BOM, else GB18030) or XLSX file (first sheet).

    Several text columns are joined with "\\n" (e.g. ["subject", "detail"]); newlines inside all but the last
    of them become spaces, so the first line of the text is exactly the first column. Rows are kept in file
    order (empty cells become ""). Raises `TrainingError` on a missing column or an unreadable file."""
    path = Path(path)
    cols = [text_col] if isinstance(text_col, str) else list(text_col)
    if not cols:
        raise TrainingError("没有指定文本列。")
    if not path.is_file():
        raise TrainingError(f"找不到文件：{path}")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TrainingError(f"不支持旧版 Excel（.xls）文件：{path.name}；请另存为 .xlsx 或 CSV（UTF-8）。")
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        header, rows = _read_xlsx(path)
    else:
        header, rows = _read_csv(path)
    wanted = cols + ([label_col] if label_col is not None else [])
    missing = [c for c in wanted if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "（无）"
        names = "、".join(f"“{c}”" for c in missing)
        raise TrainingError(f"训练文件缺少列{names}；文件中的列：{found}")
    positions = [header.index(c) for c in cols]
    label_pos = header.index(label_col) if label_col is not None else None
    texts, labels = [], []
    for row in rows:
        cells = [row[p] if p < len(row) else "" for p in positions]
        if len(cells) > 1:
            cells = [c.replace("\r\n", " ").replace("\n", " ").replace("\r", " ") for c in cells[:-1]] + cells[-1:]
        texts.append("\n".join(cells))
        if label_pos is not None:
            labels.append((row[label_pos] if label_pos < len(row) else "").strip())
    return texts, (labels if label_col is not None else None)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover — gb18030 decodes nearly anything
        raise TrainingError(f"无法识别文件编码（应为 UTF-8 或 GB18030）：{path.name}")
    if "\x00" in text:
        raise TrainingError(f"文件不是文本格式的 CSV：{path.name}")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise TrainingError(f"CSV 文件格式错误：{path.name}（{exc}）") from exc
    if not header:
        raise TrainingError(f"文件是空的（没有表头行）：{path.name}")
    return [h.strip() for h in header], rows


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError, XML errors …
        raise TrainingError(f"无法读取 Excel 文件：{path.name}（{type(exc).__name__}）") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise TrainingError(f"Excel 文件里没有工作表：{path.name}")
        it = sheet.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            raise TrainingError(f"文件是空的（没有表头行）：{path.name}")
        header = [_cell(v).strip() for v in first]
        rows = []
        for values in it:
            row = [_cell(v) for v in values]
            if any(c.strip() for c in row):
                rows.append(row)
        return header, rows
    except TrainingError:
        raise
    except Exception as exc:
        raise TrainingError(f"无法读取 Excel 文件：{path.name}（{type(exc).__name__}）") from exc
    finally:
        book.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)
