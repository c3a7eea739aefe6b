"""Shared look of every workbook: fonts, fills, borders, column widths and A4 print setup.

Cells are styled through a few named styles registered once per workbook: assigning a name
copies a ready style record, whereas assigning Font/Border objects makes openpyxl hash them for
every cell, which dominated the time of a 2,000-unit ledger.

Every sheet is a `Rows`: a write-only openpyxl sheet filled top to bottom whose rows and merges
are composed here as XML (see `Rows`), about four times faster than openpyxl's cells for the
400,000 cells of a year's ledger.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import fromstring

from reports.stable import stamp

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
    """An empty write-only workbook with the named styles registered; add sheets with `Rows`."""
    book = Workbook(write_only=True)
    for style in _styles():
        book.add_named_style(style)
    return book


def _layout(ws: WriteOnlyWorksheet, headers: Sequence[str], widths: Sequence[float]) -> None:
    """Column widths, frozen header rows and A4 landscape print repeating row 2 (set before
    the sheet's first row is written, which writes the sheet's head)."""
    for column, (_, width) in enumerate(zip(headers, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


class Styled(NamedTuple):
    """A value with the cellXfs index of its look (from `Rows.cell`)."""

    value: Any
    style_id: int


class Rows:
    """A sheet with a merged title `heading` (row 1), a frozen header row repeated on every
    printed page (row 2) and A4 landscape print, filled in order from row 3 on; use it as a
    context manager (leaving it writes the rows).

    openpyxl stays in charge of the workbook (named styles, widths, panes, print setup) but the
    rows and merges are composed here as the XML openpyxl writes (inline strings, `s` the
    style's cellXfs index) and handed to the write-only sheet's stream in one piece: openpyxl's
    Cell per value (even WriteOnlyCell) cost ≈20 µs, most of the time of a year's ledger
    (400,000 cells) and of the scorecard's evidence sheet."""

    def __init__(
        self,
        book: Workbook,
        title: str,
        heading: str,
        headers: Sequence[str],
        widths: Sequence[float],
    ) -> None:
        self.book = book
        self.ws: WriteOnlyWorksheet = book.create_sheet(title[:31])
        self.columns = len(headers)
        self._letters = [get_column_letter(c) for c in range(1, self.columns + 1)]
        self._looks: dict[tuple[str, str | None], int] = {}
        self._xml: list[str] = []
        self._merged: list[str] = []
        _layout(self.ws, headers, widths)
        self.next = 1
        self.add((self.cell(heading, TITLE),), height=30)
        self.merge(1, 1, 1, self.columns)
        self.add([self.cell(header, HEADER) for header in headers])

    def __enter__(self) -> Rows:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def cell(self, value: Any, style: str, number_format: str | None = None) -> Styled:
        """`value` in the named `style` (and `number_format`)."""
        look = self._looks.get((style, number_format))
        if look is None:
            template = WriteOnlyCell(self.ws)
            template.style = style
            if number_format is not None:
                template.number_format = number_format
            look = self._looks[(style, number_format)] = self.book._cell_styles.add(template._style)
        return Styled(value, look)

    def add(self, cells: Sequence[Any], row: int | None = None, height: float | None = None) -> int:
        """Write `cells` (plain values, unstyled, or `cell`s) as the next row, or as `row` after
        empty ones; returns the row's number."""
        if row is not None and row < self.next:
            raise ValueError(f"row {row} is already written")
        if len(cells) > self.columns:
            raise ValueError(f"{len(cells)} cells for {self.columns} columns")
        self.next = row or self.next
        number = str(self.next)
        extra = f' ht="{height:g}" customHeight="1"' if height is not None else ""
        parts = [f'<row r="{number}"{extra}>']
        for letter, value in zip(self._letters, cells, strict=False):
            style = ""
            if isinstance(value, Styled):
                value, style = value.value, f' s="{value.style_id}"'
            elif value is None or value == "":
                continue
            parts.append(_cell_xml(letter + number, style, value))
        parts.append("</row>")
        self._xml.append("".join(parts))
        self.next += 1
        return self.next - 1

    def body(
        self,
        values: Sequence[Any],
        colour: str | None = None,
        coloured: Sequence[int] = (),
        centered: Sequence[int] = (),
        formats: dict[int, str] | None = None,
        row: int | None = None,
    ) -> int:
        """A bordered, wrapped body row (as the next row, or `row`); `colour` (GREEN, YELLOW,
        RED) fills the `coloured` 1-based columns, which are centred like the `centered` ones;
        `formats` gives columns a number format."""
        cells = []
        for column, value in enumerate(values, start=1):
            if colour is not None and column in coloured:
                style = f"lb-{colour}"
            else:
                style = CENTERED if column in centered else BODY
            number_format = formats.get(column) if formats else None
            look = self._looks.get((style, number_format))
            cells.append(Styled(value, look) if look else self.cell(value, style, number_format))
        return self.add(cells, row)

    def heading(self, text: str) -> int:
        """A section heading merged across the sheet, as the next row."""
        row = self.add([self.cell(text if c == 0 else None, HEADING) for c in range(self.columns)])
        self.merge(row, 1, row, self.columns)
        return row

    def note(self, text: str) -> int:
        """A line of plain text merged across the sheet, as the next row."""
        row = self.add((self.cell(text, PLAIN),))
        self.merge(row, 1, row, self.columns)
        return row

    def merge(self, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
        first, last = self._letters[first_column - 1], self._letters[last_column - 1]
        self._merged.append(f'<mergeCell ref="{first}{first_row}:{last}{last_row}"/>')

    def close(self) -> None:
        """Hand the rows and merges to the sheet's stream; saving the workbook writes the rest
        (print options, margins, page setup: the elements after <mergeCells>; none of the ones
        between <sheetData> and <mergeCells> — protection, scenarios, filters — is used)."""
        ws = self.ws
        extent = f"A1:{self._letters[-1]}{self.next - 1}"
        ws.calculate_dimension = lambda: extent  # <dimension>, as an ordinary sheet has
        ws._get_writer()
        stream = ws._writer.xf.send(True)
        stream.write(fromstring("<sheetData>" + "".join(self._xml) + "</sheetData>"))
        ws._writer.xf.send(None)
        if self._merged:
            count = len(self._merged)
            merged = "".join(self._merged)
            ws._writer.xf.send(fromstring(f'<mergeCells count="{count}">{merged}</mergeCells>'))
        ws._rows = _written()  # closing the sheet then writes only what follows the merges
        self._xml, self._merged = [], []


def _written() -> Iterator[None]:
    yield from ()


class Formula(str):
    """A formula the report itself writes ("=SUM(…)"). Every other string — in particular
    anything a reporter typed, even if it starts with "=" — is stored as text, so no one can
    plant a live formula (formula injection) in a bureau's workbook."""


def _cell_xml(ref: str, style: str, value: Any) -> str:
    """One <c> element as openpyxl writes it (strings inline; only `Formula`s as formulas)."""
    if value is None or value == "":
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, Formula):
        return f'<c r="{ref}"{style}><f>{escape(value.removeprefix("="))}</f><v/></c>'
    if isinstance(value, str):
        text = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style} t="n"><v>{safe_string(value)}</v></c>'
    raise TypeError(f"cannot write {type(value).__name__} to a cell")


def to_bytes(book: Workbook, made_at: datetime) -> bytes:
    """The workbook's bytes, stamped with `made_at` (never the wall clock; see reports.stable)."""
    buffer = io.BytesIO()
    book.save(buffer)
    return stamp(buffer.getvalue(), made_at)
