"""The ledger grid of a period (tasks × owing units, one letter per cell), for the Mini App.

The cells follow the one cell rule (`ledger.grid`); the database only reports each
obligation's facts (counted, due instant passed) and the tasks with a current report waiting
for 审定, packed per unit in one aggregated row each, because reading 84,000 obligations and
56,000 entries through the full status aggregate takes seconds (bench/bench_webapp.py).
Which obligations exist and what counts is the ledger of record's, as for /status.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import WAITING
from ledger.grid import letters, period_light
from ledger.periods import Period
from ledger.timetable import AsOf, ledger_schedule
from models import Obligation, ProgressEntry, Section, Task, Unit
from services.obligations import open_ledger
from services.status import period_plans

NOT_OWED = "."
# The bare column, not SQLite's "is_current = 1": only then may SQLite use the partial index
# ix_progress_entries_current_state (… WHERE is_current).
CURRENT = literal_column(f"{ProgressEntry.__tablename__}.is_current", Boolean)


def _facts(now: Any) -> Any:
    """4·counted + past due, as SQL, for one obligation row (waiting is read apart)."""
    o = Obligation
    return case((o.counted_at.is_not(None), 4), else_=0) + case((o.due_at <= now, 1), else_=0)


def _packed(session: AsyncSession, item: Any) -> Any:
    """The items of a group joined with commas (string_agg on PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(item, ",")
    return func.group_concat(item, ",")


async def grid(
    session: AsyncSession,
    *,
    period: Period,
    as_of: AsOf,
    plan_code: str | None = None,
) -> dict[str, Any]:
    """{"period", "plans", "tasks": [...], "units": [{"id", "name", "unbound", "cells"}]}."""
    await open_ledger(session, period, **as_of)
    plans = [p for p in await period_plans(session, period) if plan_code in (None, p.code)]
    code_of = {p.id: p.code for p in plans}
    o, e = Obligation, ProgressEntry
    rows = await session.execute(
        select(Task.id, Task.number, Task.text, Task.plan_id, Section.number, Section.title)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.id.in_(select(o.task_id).where(o.period == period.key)),
               Task.plan_id.in_(list(code_of)))
        .order_by(Task.plan_id, Task.number)
    )  # fmt: skip
    tasks = [
        {"id": i, "number": n, "plan": code_of[p], "section": f"{sn or ''} {st or ''}".strip(),
         "text": text}
        for i, n, text, p, sn, st in rows
    ]  # fmt: skip
    column = {str(t["id"]): k for k, t in enumerate(tasks)}
    # Two grouped reads (a row per unit) instead of 84,000 rows or a join: obligations with
    # their facts, and the tasks with a current report waiting for 审定.
    item = cast(_facts(as_of["now"]), String) + cast(o.task_id, String)  # "5" + "17": facts, task
    per_unit = await session.execute(
        select(o.unit_id, func.max(o.contacts), _packed(session, item))
        .where(o.period == period.key, o.plan_id.in_(list(code_of)))
        .group_by(o.unit_id)  # by the index's order: no sort, no join (names come apart)
    )
    owing = select(o.unit_id).where(o.period == period.key)
    named = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(owing)))
    names: dict[int, str] = {unit_id: name for unit_id, name in named}
    waiting_rows = await session.execute(
        select(e.unit_id, _packed(session, cast(e.task_id, String)))
        .where(e.period == period.key, e.state.in_(WAITING), CURRENT)
        .group_by(e.unit_id)
    )
    waiting = {unit_id: set(tasks.split(",")) for unit_id, tasks in waiting_rows}
    light = period_light(as_of["now"], ledger_schedule(period, as_of["rules"], as_of["tz"]),
                         as_of["rules"])  # fmt: skip
    letter = letters(light)
    units = []
    # 84,000 cells: the letter of each (facts digit, waiting) is looked up, not computed.
    by_digit = {
        (unbound, waits): {str(f): letter[f + 2 * waits, unbound] for f in (0, 1, 4, 5)}
        for unbound in (False, True)
        for waits in (False, True)
    }
    for unit_id, contacts, cells in per_unit:
        name = names[unit_id]
        row = [NOT_OWED] * len(tasks)
        unbound, waits = not contacts, waiting.get(unit_id, set())
        plain, waited = by_digit[unbound, False], by_digit[unbound, True]
        for item in cells.split(","):
            task_id = item[1:]
            row[column[task_id]] = (waited if task_id in waits else plain)[item[0]]
        units.append({"id": unit_id, "name": name, "unbound": unbound, "cells": "".join(row)})
    units.sort(key=lambda u: (_complete(u["cells"]), _first(u["cells"]), u["name"]))
    return {
        "period": period.key,
        "plans": [{"code": p.code, "title": p.title} for p in plans],
        "tasks": tasks,
        "units": units,
    }


def _complete(cells: str) -> bool:
    return all(c in "G." for c in cells)


def _first(cells: str) -> int:
    return next((i for i, c in enumerate(cells) if c != NOT_OWED), len(cells))
