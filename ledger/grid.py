"""The colour of one cell of the ledger grid (task × unit for a period): 三色 and grey.

One rule for the Mini App's grid and the HTTP API. Green: the obligation counts. Yellow: a
report waits for 审定, or the deadline is near (`traffic_light.light_for`). Red: overdue
(`entries.overdue`). Grey: not due yet. A unit without a bound contact is marked `unbound`
(hatched) as long as nothing counted: nobody could be asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ledger.entries import overdue
from ledger.status import ObligationView
from ledger.timetable import CalendarRules, Schedule
from ledger.traffic_light import Light, light_for


class Cell(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


LETTER = {Cell.GREEN: "G", Cell.YELLOW: "Y", Cell.RED: "R", Cell.GREY: "N"}


@dataclass(frozen=True)
class CellView:
    colour: Cell
    waiting: bool  # a report waits for 审定
    unbound: bool  # no bound contact, nothing counted


def period_light(now: datetime, schedule: Schedule, rules: CalendarRules) -> Light:
    """The light of an obligation with nothing reported, for the whole period (computed once
    per grid: 84,000 cells share it)."""
    return light_for(False, now, schedule, rules)


def cell(
    owed: ObligationView, *, waiting: bool, unbound: bool, now: datetime, light: Light
) -> CellView:
    """The cell of one obligation at `now`; `light` is `period_light` of its period."""
    past_due = overdue(None, False, now, owed.due_at)
    return cell_of(owed.counted, waiting, past_due, unbound, light)


def cell_of(counted: bool, waiting: bool, past_due: bool, unbound: bool, light: Light) -> CellView:
    """The cell from the obligation's facts: counted, a report waiting for 审定, its due
    instant passed (`entries.overdue` of nothing counted or waiting), nobody bound."""
    if counted:
        return CellView(Cell.GREEN, False, False)
    if waiting:
        colour = Cell.YELLOW
    elif past_due:
        colour = Cell.RED
    else:
        colour = Cell.YELLOW if light == Light.YELLOW else Cell.GREY
    return CellView(colour, waiting, unbound)


def letters(light: Light) -> dict[tuple[int, bool], str]:
    """The grid's letter for each (facts, unbound), facts = 4·counted + 2·waiting + past_due:
    G green, Y yellow, W waiting for 审定, R red, N grey; lower case when nobody is bound."""
    table = {}
    for facts in range(8):
        for unbound in (False, True):
            view = cell_of(bool(facts & 4), bool(facts & 2), bool(facts & 1), unbound, light)
            code = "W" if view.waiting else LETTER[view.colour]
            table[facts, unbound] = code.lower() if view.unbound else code
    return table
