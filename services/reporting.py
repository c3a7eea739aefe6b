"""Recording progress: entries with versions, the late flag, evidence and 审定 (approval)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.reports import clean_text
from ledger.timetable import CalendarRules
from ledger.vocab import ContactRole, EntryState, EntryStatus
from models import Contact, Evidence, ProgressEntry, Task
from services import log_context, metrics
from services.audit import Actor, record
from services.identity import Binding, Identity
from services.obligations import load_owed
from services.periods import due_at, plan_for

log = logging.getLogger(__name__)


class ReportRefused(Exception):
    """The report cannot be recorded; `key` names the message shown to the user."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Source:
    """Where a report came from, for attribution and to make re-delivery harmless."""

    user_id: int
    name: str | None
    chat_id: int
    message_id: int | None
    at: datetime


@dataclass(frozen=True)
class Draft:
    task_number: int
    status: EntryStatus
    progress: str
    problems: str | None = None
    next_steps: str | None = None
    evidence: list[dict[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    entry: ProgressEntry
    unit_name: str
    principals: list[int]  # Telegram ids to ask for 审定; empty → counted at once
    duplicate: bool = False


async def reportable_tasks(session: AsyncSession, binding: Binding, period: Period) -> list[Task]:
    """The tasks a contact's unit owes for the period's plan, in plan order."""
    plan = await plan_for(session, period)
    if plan is None:
        return []
    owed = (await load_owed(session, plan.id, [binding.unit_id])).get(binding.unit_id, set())
    if not owed:
        return []
    return list(
        (await session.scalars(select(Task).where(Task.id.in_(owed)).order_by(Task.number))).all()
    )


async def resolve_task(
    session: AsyncSession, identity: Identity, task_number: int, period: Period
) -> tuple[Binding, Task]:
    """Pick the contact's unit that owes task N; refuse if none does."""
    contacts = identity.units(ContactRole.CONTACT)
    if not contacts:
        raise ReportRefused("not_contact")
    for binding in contacts:
        for task in await reportable_tasks(session, binding, period):
            if task.number == task_number:
                return binding, task
    raise ReportRefused("task_not_yours", number=task_number)


async def submit(
    session: AsyncSession,
    *,
    identity: Identity,
    draft: Draft,
    period: Period,
    source: Source,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> Recorded:
    """Record a new version of the unit's entry; the previous version is kept, superseded."""
    binding, task = await resolve_task(session, identity, draft.task_number, period)
    if source.message_id is not None:
        existing = await session.scalar(
            select(ProgressEntry).where(
                ProgressEntry.chat_id == source.chat_id,
                ProgressEntry.message_id == source.message_id,
            )
        )
        if existing is not None:
            return Recorded(existing, binding.unit_name, [], duplicate=True)
    version = await _supersede_current(session, task.id, binding.unit_id, period)
    principals = await principals_of(session, binding.unit_id)
    entry = ProgressEntry(
        task_id=task.id,
        unit_id=binding.unit_id,
        period=period.key,
        version=version,
        is_current=True,
        state=EntryState.SUBMITTED if principals else EntryState.APPROVED,
        status=draft.status,
        progress=clean_text(draft.progress),
        problems=clean_text(draft.problems) if draft.problems else None,
        next_steps=clean_text(draft.next_steps) if draft.next_steps else None,
        reporter_user_id=source.user_id,
        reporter_name=source.name,
        chat_id=source.chat_id,
        message_id=source.message_id,
        submitted_at=source.at,
        late=source.at >= await due_at(session, period, rules, tz),
        created_at=source.at,
    )
    session.add(entry)
    await session.flush()
    log_context.bind(unit=binding.unit_name, period=period.key)
    metrics.count_entry_on_commit(session)
    log.info("entry %s stored: task %s version %s", entry.id, task.number, version)
    for item in draft.evidence:
        session.add(
            Evidence(
                entry_id=entry.id,
                kind=item.get("kind") or "document",
                file_id=item["file_id"] or "",
                file_unique_id=item.get("file_unique_id"),
                file_name=item.get("file_name"),
                caption=item.get("caption"),
                created_at=source.at,
            )
        )
    actor = Actor.telegram(source.user_id, source.chat_id)
    record(
        session,
        actor,
        "entry.submit",
        f"{binding.unit_name}/{task.number}/{period.key}",
        version=version,
        status=draft.status.value,
        late=entry.late,
    )
    return Recorded(entry, binding.unit_name, principals)


async def _supersede_current(
    session: AsyncSession, task_id: int, unit_id: int, period: Period
) -> int:
    current = await session.scalar(
        select(ProgressEntry).where(
            ProgressEntry.task_id == task_id,
            ProgressEntry.unit_id == unit_id,
            ProgressEntry.period == period.key,
            ProgressEntry.is_current,
        )
    )
    if current is None:
        latest = await session.scalar(
            select(ProgressEntry.version)
            .where(
                ProgressEntry.task_id == task_id,
                ProgressEntry.unit_id == unit_id,
                ProgressEntry.period == period.key,
            )
            .order_by(ProgressEntry.version.desc())
            .limit(1)
        )
        return (latest or 0) + 1
    current.is_current = False
    if current.state in (EntryState.SUBMITTED, EntryState.DRAFT):
        current.state = EntryState.SUPERSEDED
    await session.flush()  # free the "one current version" slot before the insert
    return current.version + 1


async def principals_of(session: AsyncSession, unit_id: int) -> list[int]:
    return list(
        (
            await session.scalars(
                select(Contact.telegram_user_id).where(
                    Contact.unit_id == unit_id,
                    Contact.role == ContactRole.PRINCIPAL,
                    Contact.active,
                )
            )
        ).all()
    )


@dataclass(frozen=True)
class Reviewed:
    entry: ProgressEntry
    task_number: int
    unit_name: str
    approved: bool


async def review(
    session: AsyncSession,
    *,
    identity: Identity,
    entry_id: int,
    approve: bool,
    note: str | None,
    now: datetime,
    chat_id: int | None,
) -> Reviewed:
    """审定: the unit's principal approves an entry (it now counts) or returns it with a reason."""
    entry = await session.get(ProgressEntry, entry_id)
    principal_of = {b.unit_id for b in identity.units(ContactRole.PRINCIPAL)}
    if entry is None or entry.unit_id not in principal_of:
        raise ReportRefused("not_your_entry")
    if not entry.is_current or entry.state != EntryState.SUBMITTED:
        raise ReportRefused("already_reviewed")
    entry.state = EntryState.APPROVED if approve else EntryState.RETURNED
    entry.reviewed_by, entry.reviewed_at = identity.user_id, now
    entry.review_note = clean_text(note) if note else None
    task = await session.get_one(Task, entry.task_id)
    binding = next(b for b in identity.bindings if b.unit_id == entry.unit_id)
    record(
        session,
        Actor.telegram(identity.user_id, chat_id),
        "entry.approve" if approve else "entry.return",
        f"{binding.unit_name}/{task.number}/{entry.period}",
        entry_id=entry.id,
    )
    return Reviewed(entry, task.number, binding.unit_name, approve)
