"""Which tasks are closed (已销号) for which unit, and since when: what the ledger of record
leaves out of later periods (ledger.closure) and what the views show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ClosureState
from models import Closure, Task


async def closed_tasks(
    session: AsyncSession, unit_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], date]:
    """(task, unit) → the day it was closed, for closures in force."""
    query = select(Closure.task_id, Closure.unit_id, Closure.closed_on).where(
        Closure.state == ClosureState.CLOSED, Closure.closed_on.is_not(None)
    )
    if unit_ids is not None:
        query = query.where(Closure.unit_id.in_(list(unit_ids)))
    return {(task, unit): day for task, unit, day in await session.execute(query) if day}


async def closed_numbers(session: AsyncSession, unit_ids: Iterable[int]) -> list[tuple[int, date]]:
    """(task number, day closed) of the units' closed tasks, by number: what /status shows."""
    rows = await session.execute(
        select(Task.number, Closure.closed_on)
        .join(Task, Task.id == Closure.task_id)
        .where(Closure.unit_id.in_(list(unit_ids)), Closure.state == ClosureState.CLOSED)
        .order_by(Task.number)
    )
    return [(number, day) for number, day in rows if day is not None]
