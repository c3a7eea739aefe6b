"""What the grid and the entry view mark on a unit's task beside its colour: 已销号 (closed off,
with the day: the task is no longer owed from the next period on) and 已延期 (an approved 延期申请
for the period, with the new last day). From the 督办 tables (closures, extension_requests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.vocab import ClosureState, RequestState
from models import Closure, ExtensionRequest


def _key(unit_id: int, task_id: int) -> str:
    return f"{unit_id}-{task_id}"


async def grid_marks(
    session: AsyncSession, period: Period, *, unit_id: int | None = None,
    task_id: int | None = None,
) -> dict[str, dict[str, str]]:  # fmt: skip
    """{"closed": {"unit-task": day}, "extended": {"unit-task": until}} for the period: closures
    in force asked in this period or before, extensions approved for this period."""
    closed = select(Closure.unit_id, Closure.task_id, Closure.closed_on).where(
        Closure.state == ClosureState.CLOSED, Closure.closed_on.is_not(None),
        Closure.period <= period.key,
    )  # fmt: skip
    extended = select(
        ExtensionRequest.unit_id, ExtensionRequest.task_id, ExtensionRequest.until
    ).where(ExtensionRequest.period == period.key, ExtensionRequest.state == RequestState.APPROVED)
    if unit_id is not None:
        closed = closed.where(Closure.unit_id == unit_id)
        extended = extended.where(ExtensionRequest.unit_id == unit_id)
    if task_id is not None:
        closed = closed.where(Closure.task_id == task_id)
        extended = extended.where(ExtensionRequest.task_id == task_id)
    marks: dict[str, dict[str, str]] = {"closed": {}, "extended": {}}
    for unit, task, day in await session.execute(closed):
        if day is not None:
            marks["closed"][_key(unit, task)] = day.isoformat()
    for unit, task, until in await session.execute(extended.order_by(ExtensionRequest.id)):
        marks["extended"][_key(unit, task)] = until.isoformat()  # the latest approval wins
    return marks


async def entry_marks(
    session: AsyncSession, period: Period, *, unit_id: int, task_id: int
) -> dict[str, Any]:
    """{"closed": day or None, "extended": until or None} of one unit's task."""
    marks = await grid_marks(session, period, unit_id=unit_id, task_id=task_id)
    key = _key(unit_id, task_id)
    return {"closed": marks["closed"].get(key), "extended": marks["extended"].get(key)}
