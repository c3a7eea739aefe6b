"""Entries as plain `reports.data.Entry` records (with their plan's code): all versions or the
current ones, by period list or plan year — for the ledgers and the entries export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Evidence, Plan, ProgressEntry, Task, Unit
from reports.data import Attachment, Entry, UnitRef

CHUNK = 5000

_ENTRY_COLUMNS = (
    ProgressEntry.id,
    ProgressEntry.task_id,
    Task.number,
    Unit.name,
    ProgressEntry.unit_id,
    ProgressEntry.period,
    ProgressEntry.version,
    ProgressEntry.is_current,
    ProgressEntry.state,
    ProgressEntry.status,
    ProgressEntry.progress,
    ProgressEntry.problems,
    ProgressEntry.next_steps,
    ProgressEntry.reporter_name,
    ProgressEntry.reporter_user_id,
    ProgressEntry.submitted_at,
    ProgressEntry.late,
    ProgressEntry.reviewed_by,
    ProgressEntry.reviewed_at,
    ProgressEntry.review_note,
    Task.text,
    Plan.code,
)


async def load_entries(
    session: AsyncSession,
    *,
    plan_id: int | None,
    periods: list[str] | None = None,
    year: int | None = None,
    current_only: bool = True,
    unit_ids: Iterable[int] | None = None,
) -> list[Entry]:
    """Entries (all versions unless `current_only`) by period list or plan year, oldest first.

    Plain columns, not ORM objects: a year of a large registry is tens of thousands of rows."""
    query = (
        select(*_ENTRY_COLUMNS)
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .order_by(ProgressEntry.period, Plan.id, Task.number, Unit.name, ProgressEntry.version)
    )
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    if periods is not None:
        query = query.where(ProgressEntry.period.in_(periods))
    if year is not None:
        query = query.where(ProgressEntry.period.between(f"{year:04d}-01", f"{year:04d}-12"))
    if current_only:
        query = query.where(ProgressEntry.is_current)
    if unit_ids is not None:
        query = query.where(ProgressEntry.unit_id.in_(list(unit_ids)))
    entries = [_entry(row) for row in await session.execute(query)]
    return await _with_attachments(session, entries)


async def _with_attachments(session: AsyncSession, entries: list[Entry]) -> list[Entry]:
    """Each entry with the photos and documents sent with it (by entry id, in chunks that stay
    under every driver's parameter limit)."""
    found: dict[int, list[Attachment]] = {}
    ids = [e.id for e in entries]
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(Evidence.entry_id, Evidence.kind, Evidence.file_name, Evidence.created_at)
            .where(Evidence.entry_id.in_(ids[start : start + CHUNK]))
            .order_by(Evidence.id)
        )
        for entry_id, kind, name, at in rows:
            found.setdefault(entry_id, []).append(Attachment(kind, name, None, at))
    return [
        replace(e, attachments=tuple(replace(a, reporter=e.reporter) for a in found[e.id]))
        if e.id in found
        else e
        for e in entries
    ]


def _entry(row: Any) -> Entry:
    (entry_id, task_id, number, unit, unit_id, period, version, is_current, state, status,
     progress, problems, next_steps, reporter, reporter_user_id, submitted_at, late,
     reviewed_by, reviewed_at, review_note, task_text, plan_code) = row  # fmt: skip
    return Entry(
        entry_id, task_id, number, UnitRef(unit, unit_id), period, version, is_current, state,
        status, progress, problems, next_steps, reporter, reporter_user_id, submitted_at, late,
        reviewed_by, reviewed_at, review_note, task_text, plan_code,
    )  # fmt: skip
