"""File readers (.txt/.md, .docx, .xlsx, .csv) and the blank spreadsheet template."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ledger.importing.encoding import decode
from ledger.importing.limits import (
    Limits,
    bounded,
    check_archive,
    check_cells,
    check_size,
    check_time,
)
from ledger.importing.merged import fill_merged, merged_ranges
from ledger.importing.model import ImportFormatError, ParsedPlan
from ledger.importing.parse import parse_rows, parse_text
from ledger.importing.table import Progress, map_header

TEMPLATE_COLUMNS = (
    *("板块", "序号", "任务内容", "牵头单位", "配合单位", "数据提供单位"),
    *("一季度", "二季度", "三季度", "四季度", "完成时限"),
)
TEMPLATE_EXAMPLE = (
    "一、推进基础设施同网",
    "1",
    "共建重大轨道交通项目。推动轨道交通资阳线完成盾构施工、架梁和铺轨。",
    "市发展改革委",
    "各县(区)、高新区、临空经济区",
    "市统计局",
    "3月底前完成盾构始发。",
    "6月底前完成架梁50%。",
    "9月底前完成铺轨。",
    "12月底前具备通车条件。",
    "12月底前",
)


def read_csv(path: Path) -> list[list[str]]:
    """All rows of a CSV file in any supported encoding."""
    return list(_csv_rows(decode(path.read_bytes())))


def _csv_rows(text: str) -> Iterator[list[str]]:
    """Rows streamed from decoded CSV text, so only the text itself is held whole."""
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise ImportFormatError(f"unreadable CSV ({exc}): expected comma-separated rows") from exc


def parse_file(
    path: Path,
    *,
    year: int | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ParsedPlan:
    """Parse a plan file, choosing the reader by extension, within `limits` (see limits.py)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(f"{path.name}: no such file; expected a plan document")
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".md", ".text", "", ".docx", ".xlsx", ".xlsm", ".csv"):
        raise ImportFormatError(
            f"unsupported file type {suffix!r}: expected .txt .md .docx .xlsx .csv"
        )
    with bounded(limits or Limits()):
        check_size(path)
        if suffix in (".txt", ".md", ".text", ""):
            return parse_text(decode(path.read_bytes()), year=year, progress=progress)
        if suffix == ".csv":
            text = decode(path.read_bytes())
            rows = _counted(_csv_rows(text))
            return parse_rows(rows, year=year, total=text.count("\n"), progress=progress)
        check_archive(path)
        if suffix == ".docx":
            return _parse_docx(path, year, progress)
        return _parse_xlsx(path, year, progress)


def _parse_docx(path: Path, year: int | None, progress: Progress | None) -> ParsedPlan:
    """Tables with a task header are read as rows; otherwise all text as prose."""
    import docx  # the readers load with the first file of their kind, not with the bot

    try:
        document = docx.Document(str(path))
        blocks = list(document.iter_inner_content())
    except Exception as exc:  # python-docx raises many types on corrupt archives
        kind = type(exc).__name__
        raise ImportFormatError(f"unreadable .docx ({kind}): expected a Word 2007+ file") from exc
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for block in blocks:
        check_time()
        if hasattr(block, "rows"):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            has_header = any(map_header(row) for row in rows[:5])
            (tables.append(rows) if has_header else lines.extend(" | ".join(r) for r in rows))
        else:
            lines.append(block.text)
    if tables:
        all_rows = [row for table in tables for row in table]
        return parse_rows(all_rows, year=year, context="\n".join(lines), progress=progress)
    return parse_text("\n".join(lines), year=year, progress=progress)


def _cell(value: object) -> str:
    """Spreadsheet value as text: 3.0 → "3", dates as ISO, None → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _parse_xlsx(path: Path, year: int | None, progress: Progress | None) -> ParsedPlan:
    """Stream the first sheet that has a task header, reporting progress per row."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on corrupt archives
        kind = type(exc).__name__
        raise ImportFormatError(f"unreadable .xlsx ({kind}): expected an Excel 2007+ file") from exc
    try:
        sheets = workbook.worksheets
        sheet = next((ws for ws in sheets if _has_header(_rows(ws))), sheets[0])
        total = min(sheet.max_row or 0, 1_048_576)  # declared: only for progress
        return parse_rows(_rows(sheet, path), year=year, total=total, progress=progress)
    except ImportFormatError:
        raise
    except Exception as exc:  # a part that breaks while streaming (bad XML, forbidden DTD)
        kind = type(exc).__name__
        raise ImportFormatError(f"unreadable .xlsx ({kind}): expected an Excel 2007+ file") from exc
    finally:
        workbook.close()


def _rows(sheet: object, path: Path | None = None) -> Iterator[list[str]]:
    """Rows as text, merged cells filled; the declared dimension is ignored (it can claim
    17 billion cells)."""
    sheet.reset_dimensions()  # type: ignore[attr-defined]
    rows = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    part = getattr(sheet, "_worksheet_path", None)  # openpyxl keeps no merges in read-only mode
    ranges = merged_ranges(path, part) if path is not None else []
    return _counted(fill_merged(([_cell(v) for v in row] for row in rows), ranges))


def _counted(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    """Pass rows through, refusing past the cell limit or the time budget.

    An empty row counts as one cell: a sheet claiming a million rows is refused, not walked.
    """
    cells = 0
    for row in rows:
        cells += len(row) or 1
        check_cells(cells)
        check_time()
        yield row


def _has_header(rows: Iterator[list[str]]) -> bool:
    return any(map_header(row) for _, row in zip(range(30), rows, strict=False))


def write_template(path: Path) -> None:
    """Write a blank template (.xlsx, or .csv by extension): header plus one example row."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([TEMPLATE_COLUMNS, TEMPLATE_EXAMPLE])
        return
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务"
    sheet.append(list(TEMPLATE_COLUMNS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = (22, 6, 50, 20, 28, 16, 24, 24, 24, 24, 12)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.save(path)


def rows_of(path: Path) -> Sequence[Sequence[str]]:
    """All rows of an .xlsx or .csv file as text (used by tests and tools)."""
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(_rows(workbook.worksheets[0]))
    finally:
        workbook.close()
