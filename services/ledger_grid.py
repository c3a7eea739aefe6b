"""The ledger grid of a period (tasks × owing units, one colour per cell), for the Mini App.

Built from the one status aggregate (`services.status.period_status`) and the one cell rule
(`ledger.grid.cell`), so the grid, /status and `ledgerbot status` cannot disagree. Cells are
one letter per task in the unit's row, which keeps 2,000 units × 42 tasks under a megabyte.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.grid import Cell, CellView, cell
from ledger.periods import Period
from ledger.timetable import AsOf, ledger_schedule
from models import Section, Task
from services.status import period_status

# One letter per cell: its colour, W a report waiting for 审定, lower case when unbound.
LETTERS = {Cell.GREEN: "G", Cell.YELLOW: "Y", Cell.RED: "R", Cell.GREY: "N"}
NOT_OWED = "."


def letter(view: CellView) -> str:
    code = "W" if view.waiting else LETTERS[view.colour]
    return code.lower() if view.unbound else code


async def grid(
    session: AsyncSession,
    *,
    period: Period,
    as_of: AsOf,
    unit_ids: list[int] | None = None,
    plan_code: str | None = None,
) -> dict[str, Any]:
    """{"period", "plans", "tasks": [...], "units": [{"id", "name", "unbound", "cells"}]}."""
    status = await period_status(session, period=period, unit_ids=unit_ids, **as_of)
    plans = [p for p in status.plans if plan_code in (None, p.code)]
    plan_ids = [p.id for p in plans]
    rows = await session.execute(
        select(Task.id, Task.number, Task.text, Task.plan_id, Section.number, Section.title)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.plan_id.in_(plan_ids))
        .order_by(Task.plan_id, Task.number)
    )
    code_of = {p.id: p.code for p in plans}
    owed_tasks = {o.task_id for u in status.units for o in u.obligations}
    tasks = [
        {"id": i, "number": n, "plan": code_of[p], "section": f"{sn or ''} {st or ''}".strip(),
         "text": text}
        for i, n, text, p, sn, st in rows
        if i in owed_tasks
    ]  # fmt: skip
    column = {t["id"]: k for k, t in enumerate(tasks)}
    schedule = ledger_schedule(period, as_of["rules"], as_of["tz"])
    units = []
    for unit in status.units:
        letters = [NOT_OWED] * len(tasks)
        waiting = {e.task_id for e in unit.entries if e.awaiting_approval}
        for owed in unit.obligations:
            if owed.task_id not in column:
                continue
            view = cell(
                owed, waiting=owed.task_id in waiting, unbound=unit.unbound,
                now=as_of["now"], schedule=schedule, rules=as_of["rules"],
            )  # fmt: skip
            letters[column[owed.task_id]] = letter(view)
        if any(c != NOT_OWED for c in letters):
            units.append(
                {"id": unit.unit_id, "name": unit.unit, "unbound": unit.unbound,
                 "cells": "".join(letters)}
            )  # fmt: skip
    return {
        "period": period.key,
        "plans": [{"code": p.code, "title": p.title} for p in plans],
        "tasks": tasks,
        "units": units,
    }
