"""The ledger grid's cell colours for period 2023-05 (prompted 2023-06-01 09:00, due at the
end of Wednesday 2023-06-07, yellow from 2 working days before, i.e. Monday 06-05)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.grid import Cell, CellView, cell, period_light
from ledger.periods import Period
from ledger.status import ObligationView
from ledger.timetable import CalendarRules, ledger_schedule

SH = ZoneInfo("Asia/Shanghai")
RULES = CalendarRules()
SCHEDULE = ledger_schedule(Period.parse("2023-05"), RULES, SH)
DUE = datetime(2023, 6, 8, 0, 0, tzinfo=SH)


def owed(counted: datetime | None = None) -> ObligationView:
    return ObligationView(1, 5, "要点", 7, DUE, counted)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2023, 6, day, hour, tzinfo=SH)


def test_the_schedule_is_the_one_described() -> None:
    assert SCHEDULE.due_at == DUE


@pytest.mark.parametrize(
    ("now", "colour"),
    [
        (datetime(2023, 5, 31, 10, tzinfo=SH), Cell.GREY),  # not even prompted
        (at(2), Cell.GREY),  # Friday: 3 working days left
        (at(5), Cell.YELLOW),  # Monday: 2 left
        (at(7, 23), Cell.YELLOW),  # the deadline day
        (at(8, 0), Cell.RED),  # the due instant itself
    ],
)
def test_nothing_reported(now: datetime, colour: Cell) -> None:
    view = cell(
        owed(), waiting=False, unbound=False, now=now, light=period_light(now, SCHEDULE, RULES)
    )
    assert view == CellView(colour, False, False)


def test_counted_is_green_even_late_and_unbound() -> None:
    now = at(10)
    view = cell(
        owed(at(9)), waiting=False, unbound=True, now=now, light=period_light(now, SCHEDULE, RULES)
    )
    assert view == CellView(Cell.GREEN, False, False)


def test_waiting_for_approval_is_yellow_not_red_after_the_deadline() -> None:
    now = at(9)
    view = cell(
        owed(), waiting=True, unbound=False, now=now, light=period_light(now, SCHEDULE, RULES)
    )
    assert view == CellView(Cell.YELLOW, True, False)


def test_unbound_keeps_its_colour_and_is_marked() -> None:
    now = at(9)
    view = cell(
        owed(), waiting=False, unbound=True, now=now, light=period_light(now, SCHEDULE, RULES)
    )
    assert view == CellView(Cell.RED, False, True)
