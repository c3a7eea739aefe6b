"""Merged cells of an .xlsx sheet. Read-only openpyxl streams a merged range's value in its
top-left cell only, so a 牵头单位 merged over five tasks would lead one of them; the ranges are
read from the sheet part (<mergeCells> follows the rows) and the value is copied down and across.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from defusedxml.ElementTree import iterparse

from ledger.importing.limits import check_time

Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based)
_MAX_RANGES = 20_000  # a 10,000-task sheet merges a few thousand ranges
_MAX_ACTIVE = 256  # ranges open on one row; a table has a few dozen columns
_TICK = 10_000


def merged_ranges(path: Path, part: str | None) -> list[Range]:
    """The merged ranges of sheet part `part` (e.g. "xl/worksheets/sheet1.xml")."""
    if not part:
        return []
    from openpyxl.utils.cell import range_boundaries  # loads openpyxl: only for an .xlsx

    ranges: list[Range] = []
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as handle:
        for count, (_, element) in enumerate(iterparse(handle, events=("end",))):
            if count % _TICK == 0:
                check_time()
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell" and len(ranges) < _MAX_RANGES:
                bounds = range_boundaries(element.get("ref", ""))
                if None not in bounds:
                    ranges.append(bounds)
            if tag in ("row", "mergeCell"):
                element.clear()  # keep the tree flat: rows are read by openpyxl, not here
    return ranges


def fill_merged(rows: Iterable[list[str]], ranges: list[Range]) -> Iterator[list[str]]:
    """Rows with each merged range's top-left value copied into the cells it covers."""
    if not ranges:
        yield from rows
        return
    starting: dict[int, list[Range]] = {}
    for bounds in ranges:
        starting.setdefault(bounds[1], []).append(bounds)
    active: list[tuple[Range, str]] = []
    for index, row in enumerate(rows, 1):
        for bounds in starting.pop(index, []):
            top_left = row[bounds[0] - 1] if bounds[0] <= len(row) else ""
            active.append((bounds, top_left))
        active = [(b, v) for b, v in active if b[3] >= index][:_MAX_ACTIVE]
        for (min_col, _, max_col, _), value in active:
            if value and len(row) < max_col:
                row = row + [""] * (max_col - len(row))
            for col in range(min_col - 1, min(max_col, len(row))):
                if not row[col]:
                    row[col] = value
        yield row
