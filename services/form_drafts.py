"""保存草稿 on the server: a contact's unsent answers on the report form, per unit, period, task
and user, so the form opens with them on another device; a submitted task's draft is removed.

Only tasks the contact's unit owes that period are kept (the same list the form shows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import AsOf
from ledger.vocab import EntryStatus
from models import FormDraft, ProgressEntry
from services.identity import Identity
from services.permissions import reports_for
from services.reporting import reportable_tasks

FIELDS = ("progress", "problems", "next_steps")


@dataclass(frozen=True)
class DraftItem:
    unit_id: int
    task_id: int
    status: EntryStatus
    progress: str = ""
    problems: str = ""
    next_steps: str = ""


class DraftRefused(Exception):
    """A draft for a unit or task the contact does not report for; the message says which."""


async def save(
    session: AsyncSession, identity: Identity, *, period: Period, items: list[DraftItem],
    as_of: AsOf,
) -> int:  # fmt: skip
    """Store (or replace) the user's draft of each item; returns how many were stored."""
    owed: dict[int, set[int]] = {}
    for binding in identity.bindings:
        if binding.unit_id in reports_for(identity) and binding.unit_id not in owed:
            tasks = await reportable_tasks(session, binding, period, **as_of)
            owed[binding.unit_id] = {t.task.id for t in tasks}
    for item in items:
        if item.task_id not in owed.get(item.unit_id, set()):
            raise DraftRefused(f"task {item.task_id} is not owed by your unit {item.unit_id}")
    stored = {
        (d.unit_id, d.task_id): d
        for d in await session.scalars(
            select(FormDraft).where(
                FormDraft.user_id == identity.user_id, FormDraft.period == period.key
            )
        )
    }
    for item in items:
        row = stored.get((item.unit_id, item.task_id))
        if row is None:
            row = FormDraft(unit_id=item.unit_id, period=period.key, task_id=item.task_id,
                            user_id=identity.user_id)  # fmt: skip
            session.add(row)
        row.status, row.saved_at = item.status.value, as_of["now"]
        row.progress, row.problems, row.next_steps = item.progress, item.problems, item.next_steps
    await session.flush()
    return len(items)


async def drafts_of(
    session: AsyncSession, user_id: int, period: Period, tz: ZoneInfo
) -> dict[tuple[int, int], dict[str, Any]]:
    """(unit, task) → the user's draft for the period, as the form shows it (saved at, in the
    bureau's time)."""
    rows = await session.scalars(
        select(FormDraft).where(FormDraft.user_id == user_id, FormDraft.period == period.key)
    )
    return {
        (d.unit_id, d.task_id): {"status": d.status, "progress": d.progress,
                                 "problems": d.problems, "next_steps": d.next_steps,
                                 "saved_at": d.saved_at.astimezone(tz).isoformat()}
        for d in rows
    }  # fmt: skip


async def discard(
    session: AsyncSession, *, user_id: int, period: str, unit_id: int, task_id: int
) -> None:
    """The task was submitted: its draft has served."""
    await session.execute(
        delete(FormDraft).where(
            FormDraft.user_id == user_id, FormDraft.period == period,
            FormDraft.unit_id == unit_id, FormDraft.task_id == task_id,
        )
    )  # fmt: skip


async def discard_submitted(session: AsyncSession, user_id: int, entry: ProgressEntry) -> None:
    """A report stored from the chat: the user's draft of that task in the form has served."""
    await discard(session, user_id=user_id, period=entry.period, unit_id=entry.unit_id,
                  task_id=entry.task_id)  # fmt: skip


def attach(units: list[dict[str, Any]], drafts: dict[tuple[int, int], dict[str, Any]]) -> None:
    """Each task of the form gets the user's `draft` (or None)."""
    for unit in units:
        for task in unit["tasks"]:
            task["draft"] = drafts.get((unit["unit_id"], task["task_id"]))
