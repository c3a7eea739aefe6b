"""The grid's quarter and year views, for the Mini App and the HTTP API.

Quarter: tasks with a milestone target that quarter × the units owing them, each cell the
unit's answer to the quarter-end check (`milestone_board.quarter_targets`, as /milestones).
Year: the year's months × units, each cell what the unit owed that month and how much of it
counts (the obligations of the ledger of record, as /status counts them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import AsOf
from ledger.vocab import MilestoneOutcome
from models import LedgerPeriod, Obligation, Unit
from services.milestone_board import quarter_targets
from services.obligations import open_ledger

NOT_OWED = "."
# M met, P partly, X not met, ? not answered (yet)
ANSWER = {MilestoneOutcome.MET: "M", MilestoneOutcome.PARTLY: "P", MilestoneOutcome.NOT_MET: "X",
          None: "?"}  # fmt: skip


async def quarter_grid(
    session: AsyncSession, *, quarter: Quarter, current: Period, as_of: AsOf
) -> dict[str, Any]:
    """{"quarter", "tasks": [{"id", "plan", "number", "target"}], "units": [{"id", "name",
    "cells", "notes": {task id: explanation}}], "totals": {"M", "P", "X", "?"}}."""
    targets = await quarter_targets(session, quarter, current=current, **as_of)
    units: dict[int, dict[str, Any]] = {}
    for column, target in enumerate(targets):
        for answer in target.answers:
            row = units.setdefault(
                answer.unit_id,
                {"id": answer.unit_id, "name": answer.unit, "cells": [NOT_OWED] * len(targets),
                 "notes": {}},
            )  # fmt: skip
            row["cells"][column] = ANSWER[answer.outcome]
            if answer.explanation:
                row["notes"][str(target.task_id)] = answer.explanation
    rows = [{**row, "cells": "".join(row["cells"])} for row in units.values()]
    totals = {letter: sum(r["cells"].count(letter) for r in rows) for letter in ANSWER.values()}
    return {
        "quarter": quarter.key,
        "tasks": [
            {"id": t.task_id, "plan": t.plan, "number": t.number, "target": t.target}
            for t in targets
        ],
        "units": rows,
        "totals": totals,
    }


async def year_grid(
    session: AsyncSession, *, year: int, current: Period, as_of: AsOf
) -> dict[str, Any]:
    """{"year", "months": [{"period", "due_passed", "owed", "counted"}], "units": [{"id",
    "name", "months": [[counted, owed] or null per month]}]}: the months up to the open one,
    each month's ledger opened as any view of it would."""
    months = [Period(year, m) for m in range(1, 13) if Period(year, m) <= current]
    for period in months:
        await open_ledger(session, period, **as_of)
    keys = [p.key for p in months]
    o = Obligation
    counts = await session.execute(
        select(o.unit_id, o.period, func.count(), func.count(o.counted_at))
        .where(o.period.in_(keys))
        .group_by(o.unit_id, o.period)
    )
    cells: dict[int, list[list[int] | None]] = {}
    for unit_id, key, owed, counted in counts:
        cells.setdefault(unit_id, [None] * len(keys))[keys.index(key)] = [counted, owed]
    names = dict(
        (await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(cells))))).all()
    )
    due = dict(
        (
            await session.execute(
                select(LedgerPeriod.key, LedgerPeriod.due_at).where(LedgerPeriod.key.in_(keys))
            )
        ).all()
    )
    now = as_of["now"]
    columns = []
    for k, key in enumerate(keys):
        filled = [cell for row in cells.values() if (cell := row[k]) is not None]
        columns.append(
            {"period": key, "due_passed": key in due and due[key] <= now,
             "owed": sum(c[1] for c in filled), "counted": sum(c[0] for c in filled)}
        )  # fmt: skip
    order = sorted(cells, key=lambda unit_id: (_share(cells[unit_id]), names[unit_id]))
    units = [{"id": u, "name": names[u], "months": cells[u]} for u in order]
    return {"year": year, "months": columns, "units": units}


def _share(months: list[list[int] | None]) -> float:
    """The unit's share counted over the year: the least complete units first."""
    counted = sum(m[0] for m in months if m)
    owed = sum(m[1] for m in months if m)
    return counted / owed if owed else 1.0
