"""What the Mini App's form and review queue show: owed tasks pre-filled from the last
version, an entry's versions, and the entries waiting for a principal's 审定."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import AsOf
from ledger.vocab import EntryState
from models import Evidence, ProgressEntry, Task, Unit
from services.identity import Identity
from services.permissions import reports_for, reviews_for
from services.reporting import reportable_tasks

FIELDS = ("status", "progress", "problems", "next_steps")


def version_json(entry: ProgressEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "version": entry.version,
        "current": entry.is_current,
        "state": entry.state.value,
        "status": entry.status.value,
        "progress": entry.progress,
        "problems": entry.problems,
        "next_steps": entry.next_steps,
        "reporter": entry.reporter_name,
        "submitted_at": entry.submitted_at.isoformat() if entry.submitted_at else None,
        "late": entry.late,
        "reviewed_at": entry.reviewed_at.isoformat() if entry.reviewed_at else None,
        "review_note": entry.review_note,
    }


async def versions(
    session: AsyncSession, *, period: str, task_id: int, unit_id: int
) -> list[ProgressEntry]:
    """Every version of one unit's entry on one task, newest first."""
    return list(
        (
            await session.scalars(
                select(ProgressEntry)
                .where(
                    ProgressEntry.period == period,
                    ProgressEntry.task_id == task_id,
                    ProgressEntry.unit_id == unit_id,
                )
                .order_by(ProgressEntry.version.desc())
            )
        ).all()
    )


async def history(
    session: AsyncSession, *, period: str, task_id: int, unit_id: int
) -> dict[str, Any]:
    """An entry with all its versions and their evidence."""
    rows = await versions(session, period=period, task_id=task_id, unit_id=unit_id)
    evidence = await session.execute(
        select(Evidence.entry_id, Evidence.id, Evidence.kind, Evidence.file_name, Evidence.caption)
        .where(Evidence.entry_id.in_([r.id for r in rows]))
        .order_by(Evidence.id)
    )
    files: dict[int, list[dict[str, Any]]] = {}
    for entry_id, evidence_id, kind, name, caption in evidence:
        files.setdefault(entry_id, []).append(
            {"id": evidence_id, "kind": kind, "file_name": name, "caption": caption}
        )
    task = await session.get_one(Task, task_id)
    unit = await session.get_one(Unit, unit_id)
    return {
        "period": period,
        "task": {"id": task.id, "number": task.number, "text": task.text},
        "unit": {"id": unit.id, "name": unit.name},
        "versions": [{**version_json(r), "evidence": files.get(r.id, [])} for r in rows],
    }


async def form(
    session: AsyncSession, identity: Identity, *, period: Period, as_of: AsOf
) -> list[dict[str, Any]]:
    """Every task each of the contact's units owes, with the last version to start from (the
    returned one carries its reason)."""
    units = []
    for binding in identity.bindings:
        if binding.unit_id not in reports_for(identity):
            continue
        items = []
        for owed in await reportable_tasks(session, binding, period, **as_of):
            last = await versions(
                session, period=period.key, task_id=owed.task.id, unit_id=binding.unit_id
            )
            items.append(
                {
                    "task_id": owed.task.id,
                    "number": owed.task.number,
                    "plan": owed.plan_code,
                    "text": owed.task.text,
                    "last": version_json(last[0]) if last else None,
                }
            )
        units.append({"unit": binding.unit_name, "unit_id": binding.unit_id, "tasks": items})
    return units


async def review_queue(session: AsyncSession, identity: Identity) -> list[dict[str, Any]]:
    """Entries waiting for this principal's 审定, each with the last approved version to
    compare with (None when there is none)."""
    units = reviews_for(identity)
    waiting = (
        await session.execute(
            select(ProgressEntry, Task.number, Task.text, Unit.name)
            .join(Task, Task.id == ProgressEntry.task_id)
            .join(Unit, Unit.id == ProgressEntry.unit_id)
            .where(
                ProgressEntry.unit_id.in_(units),
                ProgressEntry.is_current,
                ProgressEntry.state == EntryState.SUBMITTED,
            )
            .order_by(ProgressEntry.period, Unit.name, Task.number)
        )
    ).all()
    queue = []
    for entry, number, text, unit in waiting:
        approved = await session.scalar(
            select(ProgressEntry)
            .where(
                ProgressEntry.period == entry.period,
                ProgressEntry.task_id == entry.task_id,
                ProgressEntry.unit_id == entry.unit_id,
                ProgressEntry.version < entry.version,
                ProgressEntry.state == EntryState.APPROVED,
            )
            .order_by(ProgressEntry.version.desc())
            .limit(1)
        )
        previous = version_json(approved) if approved is not None else None
        changed = [f for f in FIELDS if previous is None or previous[f] != getattr_value(entry, f)]
        queue.append(
            {
                "period": entry.period,
                "unit": unit,
                "task": {"id": entry.task_id, "number": number, "text": text},
                "entry": version_json(entry),
                "own": entry.reporter_user_id == identity.user_id,
                "approved_before": previous,
                "changed": changed,
            }
        )
    return queue


def getattr_value(entry: ProgressEntry, field: str) -> Any:
    value = getattr(entry, field)
    return value.value if field == "status" else value
