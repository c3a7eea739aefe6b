"""Status of a period: owed, submitted, approved, late and missing, by unit or by task."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.status import EntryView, UnitStatus, aggregate
from models import ProgressEntry, Task, Unit
from services.obligations import load_owed
from services.periods import plan_for


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    plan_title: str | None
    units: list[UnitStatus]


async def period_status(
    session: AsyncSession, *, period: Period, unit_ids: Iterable[int] | None = None
) -> PeriodStatus:
    plan = await plan_for(session, period)
    if plan is None:
        return PeriodStatus(period, None, [])
    wanted = None if unit_ids is None else list(unit_ids)
    owed = await load_owed(session, plan.id, wanted)
    entries = await _current_entries(session, period, plan.id, wanted)
    unit_set = set(owed) | {e.unit_id for e in entries}
    names = await _names(session, unit_set)
    return PeriodStatus(period, plan.title, aggregate(owed, names, entries))


async def _current_entries(
    session: AsyncSession,
    period: Period,
    plan_id: int,
    unit_ids: list[int] | None,
    task_id: int | None = None,
) -> list[EntryView]:
    entry = ProgressEntry
    query = (
        select(  # columns, not entities: a 2,000-unit /status reads ~17k rows
            entry.task_id,
            Task.number,
            entry.unit_id,
            entry.status,
            entry.state,
            entry.progress,
            entry.submitted_at,
            entry.late,
        )
        .join(Task, Task.id == ProgressEntry.task_id)
        .where(
            ProgressEntry.period == period.key,
            ProgressEntry.is_current,
            Task.plan_id == plan_id,
        )
    )
    if unit_ids is not None:
        query = query.where(ProgressEntry.unit_id.in_(unit_ids))
    if task_id is not None:
        query = query.where(ProgressEntry.task_id == task_id)
    return [
        EntryView(
            task_id=task,
            task_number=number,
            unit_id=unit,
            status=status,
            state=state,
            text=text,
            submitted_at=submitted_at,
            late=late,
        )
        for task, number, unit, status, state, text, submitted_at, late in (
            await session.execute(query)
        )
    ]


async def _names(session: AsyncSession, unit_ids: Iterable[int]) -> dict[int, str]:
    rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(unit_ids))))
    return {unit_id: name for unit_id, name in rows}


@dataclass(frozen=True)
class TaskStatus:
    number: int
    text: str
    units: list[UnitStatus]


async def task_status(session: AsyncSession, *, period: Period, number: int) -> TaskStatus | None:
    """One task across the units that owe it (or reported on it)."""
    plan = await plan_for(session, period)
    if plan is None:
        return None
    task = await session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == number))
    if task is None:
        return None
    owed_by = await load_owed(session, plan.id, task_id=task.id)
    owing = {u for u, tasks in owed_by.items() if task.id in tasks}
    entries = await _current_entries(session, period, plan.id, None, task_id=task.id)
    unit_set = owing | {e.unit_id for e in entries}
    names = await _names(session, unit_set)
    owed = {unit: {task.id} for unit in owing}
    return TaskStatus(task.number, task.text, aggregate(owed, names, entries))
