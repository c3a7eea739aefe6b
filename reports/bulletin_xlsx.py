"""The quarterly bulletin as an xlsx workbook: one sheet per part of the 通报, the same labels and
text as the Word document (reports.bulletin decides both). Parts that are per plan get a block
per plan, headed by the plan's title, when the bulletin covers several plans."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from openpyxl import Workbook

from ledger.vocab import MilestoneOutcome
from reports.bulletin import Bulletin, PlanPart, behind_cells, milestone_cells
from reports.bulletin_words import (
    BEHIND_HEADERS,
    LAPSE_HEADERS,
    MILESTONE_HEADERS,
    NO_BEHIND,
    NO_LAPSES,
    NO_MILESTONES,
    NO_UNBOUND,
    PARTS,
    RANKING_HEADERS,
    UNBOUND_HEADERS,
)
from reports.data import UnitRef
from reports.tallies import OUTCOME_LABELS
from reports.xlsx import GREEN, RED, YELLOW, Formula, Rows, new_workbook, to_bytes

OUTCOME_COLOURS = {
    MilestoneOutcome.MET: GREEN,
    MilestoneOutcome.PARTLY: YELLOW,
    MilestoneOutcome.NOT_MET: RED,
    None: RED,
}
SHEETS = ("总体情况", "节点目标", "报送排名", "逾期未报", "未绑定", "滞后任务")


def _per_plan(ws: Rows, b: Bulletin, fill: Callable[[Rows, PlanPart], bool], empty: str) -> None:
    """Each plan's block (its title as a heading when there are several plans); `fill` says
    whether it wrote anything, else the part's "nothing to report" sentence is written."""
    for part in b.parts:
        if b.several:
            ws.heading(part.plan.title)
        if not fill(ws, part):
            ws.note(empty)


def _milestones(ws: Rows, part: PlanPart) -> bool:
    for check in part.milestones:
        answers = list(check.answers.items()) or [(UnitRef("—", 0), (None, ""))]
        first = ws.next
        for unit, (outcome, explanation) in answers:
            values = milestone_cells(check, unit, outcome, explanation)
            if ws.next > first:  # merged below the first row: leave empty
                values = (None, None, unit.name, None, *values[4:])
            ws.body(values, OUTCOME_COLOURS[outcome], (5,), (1,))
        if ws.next - 1 > first:
            for column in (1, 2, 4):
                ws.merge(first, column, ws.next - 1, column)
    return bool(part.milestones)


def _milestone_sheet(ws: Rows, b: Bulletin) -> None:
    _per_plan(ws, b, _milestones, NO_MILESTONES)
    last = max(ws.next - 1, 3)
    row = ws.next + 1
    for label in OUTCOME_LABELS.values():
        ws.add(
            (None, None, None, f"{label}（项）", Formula(f'=COUNTIF(E3:E{last},"{label}")')),
            row=row,
        )
        row += 1


def _ranking_sheet(ws: Rows, b: Bulletin) -> None:
    for r in b.ranking:
        row = ws.next
        ws.body((*r.cells(), Formula(f'=IF(C{row}=0,"",D{row}/C{row})')), formats={7: "0.0%"})
    if b.ranking_scope():
        ws.note(b.ranking_scope())


def _lapses(ws: Rows, part: PlanPart) -> bool:
    for lapse in part.lapses:
        ws.body(lapse.cells(), RED, (4,) if lapse.missing else ())
    return bool(part.lapses)


def _behind(ws: Rows, part: PlanPart) -> bool:
    for entry in part.behind:
        ws.body(behind_cells(entry))
    return bool(part.behind)


def _sheet(book: Workbook, b: Bulletin, index: int, headers: Sequence[str],
           widths: Sequence[float]) -> Rows:  # fmt: skip
    return Rows(book, SHEETS[index], f"{b.title} — {PARTS[index]}", headers, widths)


def bulletin_xlsx(b: Bulletin) -> bytes:
    book = new_workbook()
    with _sheet(book, b, 0, (PARTS[0],), (110,)) as ws:
        for line in b.summary:
            ws.body((line,))
    with _sheet(book, b, 1, MILESTONE_HEADERS, (6, 36, 16, 40, 10, 36)) as ws:
        _milestone_sheet(ws, b)
    with _sheet(book, b, 2, RANKING_HEADERS, (6, 28, 8, 8, 8, 8, 10)) as ws:
        _ranking_sheet(ws, b)
    with _sheet(book, b, 3, LAPSE_HEADERS, (10, 28, 30, 30)) as ws:
        _per_plan(ws, b, _lapses, NO_LAPSES)
    with _sheet(book, b, 4, UNBOUND_HEADERS, (10, 28, 40)) as ws:
        for row in b.unbound:
            ws.body(row.cells(), RED, (3,))
        ws.note(b.unbound_note() if b.unbound else NO_UNBOUND)
    with _sheet(book, b, 5, BEHIND_HEADERS, (6, 36, 16, 10, 36, 36, 14)) as ws:
        _per_plan(ws, b, _behind, NO_BEHIND)
    return to_bytes(book, b.made_at)
