"""Shared look of every workbook: fonts, fills, borders, column widths and A4 print setup.

Style objects are built once and shared, which openpyxl stores as one style record per
combination: this keeps a 2,000-unit year of ledgers fast to write and small on disk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"
GREEN, YELLOW, RED = "C6EFCE", "FFEB9C", "FFC7CE"
FILLS = {
    colour: PatternFill("solid", start_color=colour, end_color=colour)
    for colour in (GREEN, YELLOW, RED)
}
SECTION_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
HEADER_FILL = PatternFill("solid", start_color="BDD7EE", end_color="BDD7EE")
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY_FONT = Font(name=FONT_NAME, size=10)
BOLD_FONT = Font(name=FONT_NAME, size=10, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
LEFT_MIDDLE = Alignment(wrap_text=True, vertical="center")


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed)."""
    book = Workbook()
    book.remove(book.active)
    return book


def sheet(book: Workbook, title: str, headers: Sequence[str], widths: Sequence[float]) -> Worksheet:
    """A sheet with a title row (1), a frozen, repeated header row (2) and A4 landscape print."""
    ws = book.create_sheet(title[:31])
    last = get_column_letter(len(headers))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTER
    ws.row_dimensions[1].height = 30
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=2, column=column, value=header)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD_FONT, HEADER_FILL, BORDER, CENTER
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    return ws


def put_row(
    ws: Worksheet,
    row: int,
    values: Sequence[Any],
    fill: PatternFill | None = None,
    fill_columns: Sequence[int] = (),
) -> None:
    """Write one bordered, wrapped body row; `fill` colours the given 1-based columns."""
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column, value=value)
        cell.font, cell.border, cell.alignment = BODY_FONT, BORDER, WRAP
        if fill is not None and column in fill_columns:
            cell.fill = fill


def heading_row(ws: Worksheet, row: int, text: str, columns: int) -> None:
    """A section heading merged across the sheet."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cell = ws.cell(row=row, column=1, value=text)
    cell.font, cell.fill, cell.alignment = BOLD_FONT, SECTION_FILL, LEFT_MIDDLE
    for column in range(1, columns + 1):
        ws.cell(row=row, column=column).border = BORDER


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
