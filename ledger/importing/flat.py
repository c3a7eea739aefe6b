"""Tables flattened to text ("a | b | c" or tab/space columns) turned back into rows."""

from __future__ import annotations

import re

from ledger.importing.normalize import CN_NUMERAL, squeeze
from ledger.importing.spaced import split_row
from ledger.importing.table import as_number, map_header, merge_subheader

_HEADING_CELL = re.compile(rf"^(?:{CN_NUMERAL}、|\({CN_NUMERAL}\))\S")
_UNKNOWN_SPACED = 1  # a space-separated header may hold one column name we do not know
_ROW_START = re.compile(rf"^(?:\d{{1,4}}|{CN_NUMERAL}、[^|]*)\s*\|")


def split_cells(line: str, delimiter: str) -> list[str]:
    """Cells of one line; a space delimiter means runs of whitespace."""
    if delimiter == " ":
        return line.split()
    return [c.strip() for c in line.split(delimiter)]


def find_header(lines: list[str]) -> tuple[int, str, list[str | None]] | None:
    """(index of first data line, delimiter, column roles) of a flattened table."""
    for i, line in enumerate(lines[:150]):
        for delimiter in ("|", "\t", " "):
            if delimiter != " " and delimiter not in line:
                continue
            cells = split_cells(line, delimiter)
            roles = map_header(cells)
            if roles is None or (delimiter == " " and roles.count(None) > _UNKNOWN_SPACED):
                continue
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            merged = merge_subheader(roles, split_cells(nxt, delimiter))
            return (i + 2, delimiter, merged) if merged else (i + 1, delimiter, roles)
    return None


def pipe_rows(lines: list[str], roles: list[str | None]) -> list[list[str]]:
    """Rows of a " | " table whose logical rows may be broken over physical lines."""
    cells = [c.strip() for c in _join(lines).split("|")]
    number_at = roles.index("number")
    width = len(roles) - number_at - 1
    section_at = roles.index("section") if "section" in roles else None
    starts = _row_starts(cells, width)
    rows = []
    pending = _trailing_heading(cells[: starts[0]] if starts else cells)
    ends = [*starts[1:], len(cells)] if starts else []
    for start, end in zip(starts, ends, strict=True):
        chunk = cells[start:end]
        following = _trailing_heading(chunk)
        if following:
            chunk = chunk[: len(chunk) - 1 - chunk[::-1].index(following)]
        row = [""] * len(roles)
        row[number_at] = chunk[0]
        for j, value in enumerate(chunk[1 : 1 + width]):
            row[number_at + 1 + j] = value
        if section_at is not None and section_at < number_at and pending:
            row[section_at] = pending
        rows.append(row)
        pending = following
    return rows


def _join(lines: list[str]) -> str:
    """One stream of cells: a break next to a "|" is a cell boundary, else a wrap."""
    joined = ""
    for raw in lines:
        line = squeeze(raw)
        if not line:
            continue
        if joined and not (line.startswith("|") or joined.endswith("|")):
            joined += "|" if _ROW_START.match(line) else ""
        joined += line
    return joined


def _row_starts(cells: list[str], width: int) -> list[int]:
    """Indexes of 序号 cells: the next number in sequence followed by task text."""
    starts: list[int] = []
    last = 0
    for i, cell in enumerate(cells[:-1]):
        number = as_number(cell) if cell.isdigit() else None
        if number is None or not cells[i + 1] or cells[i + 1].isdigit():
            continue
        in_sequence = number == last + 1
        skipped = starts and last < number <= last + 3 and i - starts[-1] > width
        if in_sequence or skipped or (not starts and number <= 3):
            starts.append(i)
            last = number
    return starts


def _trailing_heading(chunk: list[str]) -> str | None:
    """A section heading ("三、…") sitting at the end of a row belongs to the next row."""
    filled = [c for c in chunk if c]
    if filled and _HEADING_CELL.match(filled[-1]):
        return filled[-1]
    return None


def line_rows(lines: list[str], roles: list[str | None], delimiter: str) -> list[list[str]]:
    """Rows of a tab- or space-separated table, one physical line per row.

    Section headings ("一、…", "(一)…") become one-cell rows; a header repeated under each
    heading is skipped; with spaces, the units follow the text's last full stop (spaced.py).
    """
    rows: list[list[str]] = []
    text_at = roles.index("text")
    number_at = roles.index("number") if "number" in roles else 0
    row_words: list[str] = []  # the words of the last row, to re-split it when it wraps
    for raw in lines:
        line = squeeze(raw) if delimiter == " " else raw.strip()
        if not line:
            continue
        words = split_cells(line, delimiter)
        if _HEADING_CELL.match(line) and (len(words) <= 2 or delimiter == " "):
            rows.append([squeeze(line)] * len(roles))
            continue
        if map_header(words) is not None:
            continue
        spaced = split_row(words, roles) if delimiter == " " else None
        cells = spaced or _fit(words, len(roles), text_at, delimiter)
        numbered = "number" not in roles or as_number(cells[number_at]) is not None
        if numbered or not rows:  # without a 序号 column every line is a row
            rows.append(cells)
            row_words = words
        elif delimiter == " " and (rejoined := split_row(row_words + words, roles)):
            rows[-1], row_words = rejoined, row_words + words  # a long row wrapped
        else:
            rows[-1][text_at] += squeeze(line)
    return rows


def _fit(cells: list[str], width: int, text_at: int, delimiter: str) -> list[str]:
    """Pad to `width`; with space delimiters the extra words belong to the text column."""
    if delimiter == " " and len(cells) > width:
        after = width - text_at - 1
        end = len(cells) - after
        cells = [*cells[:text_at], " ".join(cells[text_at:end]), *cells[end:]]
    return (cells + [""] * width)[:width]
