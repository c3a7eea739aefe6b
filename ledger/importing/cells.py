"""Tables copied from web pages with one cell per line (序号 / 内容 / 责任单位 on lines of their
own), including rows whose merged cells hold several numbered sub-rows "(1)…(2)…".

A row starts at a line holding only the next 序号. Its lines are sorted by what they look like:
task text, a person (分管领导), a deadline, or a unit list; units fill the unit columns in order.
Rows that hold no text are reported as unread, with their line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.importing.builder import PlanBuilder
from ledger.importing.normalize import squeeze
from ledger.importing.spaced import UNIT_ROLES, looks_like_deadline, looks_like_person
from ledger.importing.table import as_number, role_of
from ledger.importing.units import looks_like_unit, split_units

_SUB = re.compile(r"^\((\d{1,3})\)\s*(\S.*)$")
_SCAN = 150
_MIN_HEADER = 3


@dataclass
class _Line:
    number: int  # 1-based line in the document
    text: str


@dataclass
class _Row:
    cells: dict[str, list[str]] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)

    def put(self, role: str, value: str) -> None:
        self.cells.setdefault(role, []).append(value)


def find_cell_header(lines: list[str]) -> tuple[int, list[str | None]] | None:
    """(index of the first line after the header, roles) of a one-cell-per-line header."""
    filled = [(i, squeeze(line)) for i, line in enumerate(lines[:_SCAN]) if line.strip()]
    for k in range(len(filled)):
        roles, end, j = [], k, k
        while j < len(filled):
            role, used = _header_cell(filled, j)
            if role is None:
                break
            roles.append(role)
            end, j = j + used - 1, j + used
        if len(roles) >= _MIN_HEADER and roles[0] == "number" and "text" in roles:
            return filled[end][0] + 1, list(roles)
    return None


def _header_cell(filled: list[tuple[int, str]], j: int) -> tuple[str | None, int]:
    """Role of the header cell at `j`, joining a name broken over two lines (区政府 / 分管领导)."""
    role = role_of(filled[j][1])
    if role is not None:
        return role, 1
    if j + 1 < len(filled) and len(filled[j][1]) <= 6:
        joined = role_of(filled[j][1] + filled[j + 1][1])
        if joined is not None:
            return joined, 2
    return None, 1


def cell_rows(
    lines: list[str], start: int, roles: list[str | None], builder: PlanBuilder
) -> list[list[str]]:
    """Rows for RowReader: headings as one-cell rows, tasks with their cells by role."""
    body = [
        _Line(i + 1, squeeze(line)) for i, line in enumerate(lines[start:], start) if line.strip()
    ]
    rows: list[list[str]] = []
    merged: list[int] = []
    for chunk in _chunks(body):
        subs = [i for i, line in enumerate(chunk[1:], 1) if _SUB.match(line.text)]
        if subs:
            title = " ".join(line.text for line in chunk[1 : subs[0]])
            if title:
                rows.append([title] * len(roles))
            rows += _sub_rows(chunk, subs, roles, merged)
            continue
        row = _read(chunk[1:], roles)
        if row.text:
            rows.append(_cells(chunk[0].text, row, roles))
        else:
            builder.skip(chunk[0].number, chunk[-1].number, chunk[0].text)
    if merged:
        numbers = ", ".join(map(str, merged))
        builder.warn(
            f"tasks {numbers}: some unit cells are empty on their lines; a merged cell above "
            "may cover them: check these tasks"
        )
    return rows


def _chunks(body: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by row: a row starts at a line holding only the next 序号."""
    chunks: list[list[_Line]] = []
    expected = 1
    for line in body:
        if as_number(line.text) == expected and line.text.strip("()、.").isdigit():
            chunks.append([line])
            expected += 1
        elif chunks:
            chunks[-1].append(line)
    return chunks


def _sub_rows(
    chunk: list[_Line], subs: list[int], roles: list[str | None], merged: list[int]
) -> list[list[str]]:
    """One task per "(n)" sub-row; a sub-row without a lead keeps the one above (merged)."""
    rows: list[list[str]] = []
    previous_lead: list[str] = []
    for at, end in zip(subs, [*subs[1:], len(chunk)], strict=True):
        match = _SUB.match(chunk[at].text)
        assert match is not None
        row = _read([_Line(chunk[at].number, match.group(2)), *chunk[at + 1 : end]], roles)
        columns = [r for r in roles if r in UNIT_ROLES]
        if columns and not row.cells.get(columns[0]) and previous_lead:
            row.cells[columns[0]] = previous_lead
        if any(not row.cells.get(r) for r in columns):
            merged.append(int(match.group(1)))
        previous_lead = row.cells.get(columns[0], []) if columns else []
        rows.append(_cells(match.group(1), row, roles))
    return rows


def _read(lines: list[_Line], roles: list[str | None]) -> _Row:
    """Sort a row's lines: text first, then people, deadlines and unit lists."""
    row = _Row()
    units: list[str] = []
    texts = [r for r in roles if r in ("text", "note")]
    for line in lines:
        word = line.text
        if "deadline" in roles and looks_like_deadline(word):
            row.put("deadline", word)
        elif "people" in roles and looks_like_person(word):
            row.put("people", word)
        elif _looks_like_units(word):
            units.append(word)
        elif not units and row.text and texts[1:2] == ["note"]:
            row.put("note", word)
        elif not units:
            row.text.append(word)
    columns = [r for r in roles if r in UNIT_ROLES]
    for k, role in enumerate(columns):
        part = units[k:] if k == len(columns) - 1 else units[k : k + 1]
        if part:
            row.cells[role] = ["、".join(part)]
    return row


def _looks_like_units(line: str) -> bool:
    if len(line) > 80 or "。" in line or "," in line:
        return False
    names = split_units(line)
    return bool(names) and all(map(looks_like_unit, names))


def _cells(number: str, row: _Row, roles: list[str | None]) -> list[str]:
    cells = [""] * len(roles)
    for i, role in enumerate(roles):
        if role == "number":
            cells[i] = number
        elif role == "text" and "text" not in roles[:i]:
            cells[i] = "".join(row.text)
        elif role is not None and role != "text":
            cells[i] = (
                "、".join(row.cells.get(role, []))
                if role in UNIT_ROLES
                else " ".join(row.cells.get(role, []))
            )
    return cells
