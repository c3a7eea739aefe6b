"""The ledger grid of a period (tasks × owing units, one letter per cell), for the Mini App.

The cells follow the one cell rule (`ledger.grid`); the database only reports each
obligation's facts (counted, due instant passed) and the tasks with a current report waiting
for 审定, packed per unit in one aggregated row each, because reading 84,000 obligations and
56,000 entries through the full status aggregate takes seconds (bench/bench_webapp.py).
Which obligations exist and what counts is the ledger of record's, as for /status.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Boolean, String, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import WAITING
from ledger.grid import letters, period_light
from ledger.periods import Period
from ledger.timetable import AsOf, ledger_schedule
from ledger.traffic_light import Light
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
    per_unit, waiting = await _facts_per_unit(session, period, as_of, list(code_of))
    owed = {item[1:] for _, _, cells in per_unit for item in cells.split(",")}
    tasks = await _tasks(session, [int(i) for i in owed], code_of)
    units = await _rows(session, period, as_of, per_unit, waiting, tasks)
    return {
        "period": period.key,
        "plans": [{"code": p.code, "title": p.title} for p in plans],
        "tasks": tasks,
        "units": _ordered(units),
    }


async def patch(
    session: AsyncSession, kept: dict[str, Any], *, period: Period, as_of: AsOf,
    unit_ids: list[int],
) -> dict[str, Any]:  # fmt: skip
    """`kept` (a grid of the period) with the rows of `unit_ids` read again: what `grid` would
    answer when only those units' facts changed and no unit owes a task it did not owe."""
    codes = {p["code"] for p in kept["plans"]}
    plan_ids = [p.id for p in await period_plans(session, period) if p.code in codes]
    per_unit, waiting = await _facts_per_unit(session, period, as_of, plan_ids, unit_ids)
    fresh = await _rows(session, period, as_of, per_unit, waiting, kept["tasks"])
    again = set(unit_ids)
    units = [u for u in kept["units"] if u["id"] not in again] + fresh
    return {**kept, "units": _ordered(units)}


async def _facts_per_unit(
    session: AsyncSession, period: Period, as_of: AsOf, plan_ids: list[int],
    unit_ids: list[int] | None = None,
) -> tuple[Sequence[Any], dict[int, set[str]]]:  # fmt: skip
    """Two grouped reads (a row per unit) instead of 84,000 rows or a join: obligations with
    their facts packed, and the tasks with a current report waiting for 审定."""
    o, e = Obligation, ProgressEntry
    item = cast(_facts(as_of["now"]), String) + cast(o.task_id, String)  # "5" + "17": facts, task
    owing = select(o.unit_id, func.max(o.contacts), _packed(session, item)).where(
        o.period == period.key, o.plan_id.in_(plan_ids)
    )
    waits = select(e.unit_id, _packed(session, cast(e.task_id, String))).where(
        e.period == period.key, e.state.in_(WAITING), CURRENT
    )
    if unit_ids is not None:
        owing, waits = owing.where(o.unit_id.in_(unit_ids)), waits.where(e.unit_id.in_(unit_ids))
    per_unit = (await session.execute(owing.group_by(o.unit_id))).all()  # index order: no sort
    waiting_rows = await session.execute(waits.group_by(e.unit_id))
    return per_unit, {unit_id: set(tasks.split(",")) for unit_id, tasks in waiting_rows}


async def _rows(
    session: AsyncSession, period: Period, as_of: AsOf, per_unit: Sequence[Any],
    waiting: dict[int, set[str]], tasks: list[dict[str, Any]],
) -> list[dict[str, Any]]:  # fmt: skip
    named = await session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_([u for u, _, _ in per_unit]))
    )
    names: dict[int, str] = {unit_id: name for unit_id, name in named}
    light = period_light(as_of["now"], ledger_schedule(period, as_of["rules"], as_of["tz"]),
                         as_of["rules"])  # fmt: skip
    column = {str(t["id"]): k for k, t in enumerate(tasks)}
    return [
        {"id": unit_id, "name": names[unit_id], "unbound": not contacts,
         "cells": _cells(cells, column, waiting.get(unit_id, set()), not contacts, light)}
        for unit_id, contacts, cells in per_unit
    ]  # fmt: skip


def _ordered(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units with something outstanding first, by their first owed task, then by name."""
    return sorted(units, key=lambda u: (_complete(u["cells"]), _first(u["cells"]), u["name"]))


async def _tasks(
    session: AsyncSession, task_ids: list[int], code_of: dict[int, str]
) -> list[dict[str, Any]]:
    """The owed tasks in the document's order (plan, number), with their section."""
    rows = await session.execute(
        select(Task.id, Task.number, Task.text, Task.plan_id, Section.number, Section.title)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.id.in_(task_ids))
        .order_by(Task.plan_id, Task.number)
    )
    return [
        {"id": i, "number": n, "plan": code_of[p], "section": f"{sn or ''} {st or ''}".strip(),
         "text": text}
        for i, n, text, p, sn, st in rows
    ]  # fmt: skip


@cache
def _by_digit(light: Light, unbound: bool, waits: bool) -> dict[str, str]:
    """The letter of each facts digit (the one rule's table, looked up 84,000 times)."""
    table = letters(light)
    return {str(f): table[f + 2 * waits, unbound] for f in (0, 1, 4, 5)}


def _cells(
    packed: str, column: dict[str, int], waits: set[str], unbound: bool, light: Light
) -> str:
    row = [NOT_OWED] * len(column)
    plain, waited = _by_digit(light, unbound, False), _by_digit(light, unbound, True)
    for item in packed.split(","):
        task_id = item[1:]
        row[column[task_id]] = (waited if task_id in waits else plain)[item[0]]
    return "".join(row)


def _complete(cells: str) -> bool:
    return all(c in "G." for c in cells)


def _first(cells: str) -> int:
    return next((i for i, c in enumerate(cells) if c != NOT_OWED), len(cells))
