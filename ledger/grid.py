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


@dataclass(frozen=True)
class CellView:
    colour: Cell
    waiting: bool  # a report waits for 审定
    unbound: bool  # no bound contact, nothing counted


def cell(
    owed: ObligationView,
    *,
    waiting: bool,
    unbound: bool,
    now: datetime,
    schedule: Schedule,
    rules: CalendarRules,
) -> CellView:
    """The cell of one obligation at `now` (`schedule` is its period's timetable)."""
    if owed.counted:
        return CellView(Cell.GREEN, False, False)
    if waiting:
        colour = Cell.YELLOW
    elif overdue(owed.counted_at, waiting, now, owed.due_at):
        colour = Cell.RED
    else:
        light = light_for(False, now, schedule, rules)
        colour = Cell.YELLOW if light == Light.YELLOW else Cell.GREY
    return CellView(colour, waiting, unbound)
