"""Shared look of every workbook: fonts, fills, borders, column widths and A4 print setup.

Cells are styled through a few named styles registered once per workbook: assigning a name
copies a ready style record, whereas assigning Font/Border objects makes openpyxl hash them for
every cell, which dominated the time of a 2,000-unit ledger.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
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


BODY, CENTERED, PLAIN, HEADING, HEADER, TITLE = (
    "lb-body", "lb-center", "lb-plain", "lb-heading", "lb-header", "lb-title",
)  # fmt: skip


def _styles() -> list[NamedStyle]:
    def make(name: str, font: Font, align: Alignment, fill: PatternFill | None = None,
             border: Border | None = BORDER) -> NamedStyle:  # fmt: skip
        style = NamedStyle(name=name, font=font, alignment=align, border=border or Border())
        if fill is not None:
            style.fill = fill
        return style

    return [
        make(BODY, BODY_FONT, WRAP),
        make(CENTERED, BODY_FONT, CENTER),
        make(PLAIN, BODY_FONT, WRAP, border=None),
        make(HEADING, BOLD_FONT, LEFT_MIDDLE, SECTION_FILL),
        make(HEADER, BOLD_FONT, CENTER, HEADER_FILL),
        make(TITLE, TITLE_FONT, CENTER, border=None),
        *(make(f"lb-{colour}", BODY_FONT, CENTER, fill) for colour, fill in FILLS.items()),
    ]


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed) with the named styles registered."""
    book = Workbook()
    book.remove(book.active)
    for style in _styles():
        book.add_named_style(style)
    return book


def sheet(book: Workbook, title: str, headers: Sequence[str], widths: Sequence[float]) -> Worksheet:
    """A sheet with a title row (1), a frozen, repeated header row (2) and A4 landscape print."""
    ws = book.create_sheet(title[:31])
    last = get_column_letter(len(headers))
    ws["A1"].style = TITLE
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=2, column=column, value=header)
        cell.style = HEADER
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
    colour: str | None = None,
    coloured: Sequence[int] = (),
    centered: Sequence[int] = (),
) -> None:
    """Write one bordered, wrapped body row; `colour` (GREEN, YELLOW, RED) fills the `coloured`
    1-based columns, which are centred like the `centered` ones."""
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column, value=value)
        if colour is not None and column in coloured:
            cell.style = f"lb-{colour}"
        else:
            cell.style = CENTERED if column in centered else BODY


def heading_row(ws: Worksheet, row: int, text: str, columns: int) -> None:
    """A section heading merged across the sheet."""
    for column in range(1, columns + 1):
        ws.cell(row=row, column=column).style = HEADING
    ws.cell(row=row, column=1, value=text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)


def merge_down(ws: Worksheet, first_row: int, last_row: int, columns: Sequence[int]) -> None:
    """Merge rows first..last in each of `columns`; the cells below the first must be empty and
    keep their own style (so their borders stay). `ws.merge_cells` would rebuild and re-hash those
    borders and scan every earlier range, which took seconds for thousands of task rows."""
    for column in columns:
        ws.merged_cells.ranges.add(
            CellRange(min_col=column, min_row=first_row, max_col=column, max_row=last_row)
        )


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
