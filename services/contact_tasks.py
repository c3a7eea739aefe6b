"""What a contact sees of their unit's owed tasks: each task's state this period (/tasks),
and the returned version a report after 退回 starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ledger.periods import Period
from ledger.task_state import TaskState, task_state
from ledger.timetable import CalendarRules
from ledger.vocab import EntryState, EntryStatus, RequestState
from models import ExtensionRequest, Obligation, ProgressEntry
from services.closed_tasks import closed_tasks
from services.identity import Binding
from services.reporting import OwedTask, reportable_tasks


@dataclass(frozen=True)
class TaskLine:
    owed: OwedTask
    state: TaskState
    closed_on: date | None = None  # 销号: the day the task was closed for the unit
    extended_until: date | None = None  # a granted 延期: the new last day this period


async def tasks_with_states(
    session: AsyncSession,
    binding: Binding,
    period: Period,
    *,
    drafting: int | None,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> list[TaskLine]:
    """The unit's owed tasks in plan order, each with its state; `drafting` is the task id of
    the report the caller is writing, if any."""
    owed = await reportable_tasks(session, binding, period, now=now, rules=rules, tz=tz)
    where = (Obligation.period == period.key, Obligation.unit_id == binding.unit_id)
    due = dict(
        (await session.execute(select(Obligation.task_id, Obligation.due_at).where(*where)))
        .tuples()
        .all()
    )
    current = dict(
        (
            await session.execute(
                select(ProgressEntry.task_id, ProgressEntry.state).where(
                    ProgressEntry.period == period.key,
                    ProgressEntry.unit_id == binding.unit_id,
                    ProgressEntry.is_current,
                )
            )
        )
        .tuples()
        .all()
    )
    closed = await closed_tasks(session, [binding.unit_id])
    extended = await _extended(session, binding.unit_id, period)
    lines = []
    for o in owed:
        closed_on = closed.get((o.task.id, binding.unit_id))
        state = task_state(
            current.get(o.task.id), drafting=o.task.id == drafting, due_at=due[o.task.id],
            now=now, closed=closed_on is not None,
        )  # fmt: skip
        lines.append(TaskLine(o, state, closed_on, extended.get(o.task.id)))
    return lines


async def _extended(session: AsyncSession, unit_id: int, period: Period) -> dict[int, date]:
    """task → the last day a granted extension gives the unit this period (the latest one)."""
    rows = await session.execute(
        select(ExtensionRequest.task_id, ExtensionRequest.until)
        .where(ExtensionRequest.period == period.key, ExtensionRequest.unit_id == unit_id,
               ExtensionRequest.state == RequestState.APPROVED)
        .order_by(ExtensionRequest.decided_at, ExtensionRequest.id)
    )  # fmt: skip
    return dict(rows.tuples().all())


@dataclass(frozen=True)
class Returned:
    """The version a principal returned, as a new report's starting point."""

    version: int
    status: EntryStatus
    progress: str
    problems: str | None
    next_steps: str | None
    evidence: list[dict[str, Any]]
    reason: str | None


async def returned_version(
    session: AsyncSession, *, unit_id: int, task_id: int, period: Period
) -> Returned | None:
    """The unit's current entry on the task when it stands returned (退回), else None."""
    entry = await session.scalar(
        select(ProgressEntry)
        .where(
            ProgressEntry.period == period.key,
            ProgressEntry.unit_id == unit_id,
            ProgressEntry.task_id == task_id,
            ProgressEntry.is_current,
            ProgressEntry.state == EntryState.RETURNED,
        )
        .options(selectinload(ProgressEntry.evidence))
    )
    if entry is None:
        return None
    evidence = [
        {"kind": e.kind, "file_id": e.file_id, "file_unique_id": e.file_unique_id,
         "file_name": e.file_name, "caption": e.caption}
        for e in entry.evidence
    ]  # fmt: skip
    return Returned(
        entry.version, entry.status, entry.progress, entry.problems, entry.next_steps, evidence,
        entry.review_note,
    )  # fmt: skip
