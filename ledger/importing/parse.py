"""Entry points over text and rows: pick the reader, then add title, year and checks."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice

from ledger.importing.builder import PlanBuilder, split_heading
from ledger.importing.cells import cell_rows, find_cell_header
from ledger.importing.flat import find_header, line_rows, pipe_rows
from ledger.importing.limits import check_cells
from ledger.importing.meta import find_issued_on, find_title, find_year
from ledger.importing.model import ImportFormatError, ParsedPlan
from ledger.importing.normalize import normalize
from ledger.importing.prose import ProseReader
from ledger.importing.roles import detect_rule
from ledger.importing.table import (
    Progress,
    RowReader,
    map_header,
    merge_subheader,
    missing_required,
)

NO_TASKS = (
    "no recognisable tasks: expected numbered tasks (1. …, 任务一) "
    "or a table with 序号/任务内容/牵头单位 columns"
)
_HEADER_SCAN = 30
_COLUMN_NAMES = {
    **{"section": "板块", "number": "序号", "text": "任务内容", "lead": "牵头单位"},
    **{"resp": "责任单位", "support": "配合单位", "data": "数据提供单位", "deadline": "完成时限"},
    **{"Q1": "一季度", "Q2": "二季度", "Q3": "三季度", "Q4": "四季度"},
}


def _check_text(text: str) -> None:
    """Reject empty input and binary junk before any parsing."""
    if not text.strip():
        raise ImportFormatError("empty document: expected a plan with numbered tasks")
    controls = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn"))
    controls -= text.count("\n") + text.count("\t")
    if controls > max(3, len(text) // 50):
        raise ImportFormatError("not a text document: expected UTF-8 or GB18030 plan text")


def parse_text(
    text: str, *, year: int | None = None, progress: Progress | None = None
) -> ParsedPlan:
    """Parse a plan given as text: a flattened task table or numbered prose."""
    _check_text(text)
    check_cells(text.count("\n") + 1, "lines")
    text = normalize(text)
    lines = text.split("\n")
    rule = detect_rule(text)
    builder = PlanBuilder()
    header = find_header(lines)
    if header is not None:
        start, delimiter, roles = header
        body = _heading_before(lines, start) + lines[start:]
        piped = delimiter == "|" and "number" in roles
        rows = pipe_rows(body, roles) if piped else line_rows(body, roles, delimiter)
        RowReader(roles, builder, rule).read(rows, total=len(rows), progress=progress)
    elif (cell_header := find_cell_header(lines)) is not None:
        start, roles = cell_header
        rows = cell_rows(lines, start, roles, builder)
        RowReader(roles, builder, rule).read(rows, total=len(rows), progress=progress)
        header = (start, "\n", roles)
    if not builder.tasks:
        builder = PlanBuilder()
        ProseReader(builder, rule).read(text, progress)
    if not builder.tasks:
        raise ImportFormatError(NO_TASKS if header is None else unaligned(lines, header))
    return _finish(builder, lines, text, year)


def unaligned(lines: list[str], header: tuple[int, str, list[str | None]]) -> str:
    """The refusal for a table whose header was read but whose rows could not be."""
    start, _, roles = header
    names = "、".join(dict.fromkeys(_COLUMN_NAMES[r] for r in roles if r in _COLUMN_NAMES))
    return (
        f"a table header ({names}) ends at line {start}, but no row below it could be aligned "
        "to it; copy the rows into `ledgerbot template plan.xlsx`, which has these columns"
    )


def _heading_before(lines: list[str], start: int) -> list[str]:
    """A section heading just above the header ("(一)…(分解任务15项)") belongs to the table."""
    above = [line for line in lines[max(0, start - 4) : start - 1] if line.strip()]
    if above and split_heading(above[-1])[0] is not None:
        return [above[-1]]
    return []


def parse_rows(
    rows: Iterable[Sequence[str]],
    *,
    year: int | None = None,
    context: str = "",
    total: int = 0,
    progress: Progress | None = None,
) -> ParsedPlan:
    """Parse a real table (docx/xlsx/csv): a header row with template columns, then tasks."""
    stream = iter(rows)
    head = [list(r) for r in islice(stream, _HEADER_SCAN)]
    found = _find_row_header(head)
    if found is None:
        raise ImportFormatError("no header row: expected columns 序号, 任务内容, 牵头单位 …")
    at, width, roles = found
    missing = missing_required(roles)
    if missing:
        raise ImportFormatError(f"missing required columns: {', '.join(missing)}")
    before = [" ".join(dict.fromkeys(c for c in row if c)) for row in head[:at]]  # merged
    data: Iterator[Sequence[str]] = chain(head[at + width :], stream)
    builder = PlanBuilder()
    context = normalize("\n".join([context, *before]))
    reader = RowReader(roles, builder, detect_rule(context))
    reader.read(_skip_headers(data), total=max(0, total - at - width), progress=progress)
    if not builder.tasks:
        raise ImportFormatError(NO_TASKS)
    lines = context.split("\n")
    return _finish(builder, lines, "\n".join([context, *(t.text for t in builder.tasks)]), year)


def _find_row_header(rows: list[list[str]]) -> tuple[int, int, list[str | None]] | None:
    """(row index, header height 1 or 2, roles) of the first header among `rows`."""
    for i, row in enumerate(rows):
        roles = map_header(row)
        if roles is None:
            continue
        merged = merge_subheader(roles, rows[i + 1]) if i + 1 < len(rows) else None
        return (i, 2, merged) if merged else (i, 1, roles)
    return None


def _skip_headers(rows: Iterable[Sequence[str]]) -> Iterator[Sequence[str]]:
    """Drop header rows repeated further down (several tables, or a header per page)."""
    return (row for row in rows if map_header(row) is None)


def _finish(builder: PlanBuilder, lines: list[str], text: str, year: int | None) -> ParsedPlan:
    title = find_title(lines)
    if year is None:
        year = find_year(title, text, builder)
    return dataclasses.replace(builder.build(title, year), issued_on=find_issued_on(lines))
