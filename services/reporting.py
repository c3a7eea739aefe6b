"""Recording progress: entries with versions, the late flag, evidence and 审定 (approval)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import after_superseded, first_state, is_counted, is_late
from ledger.periods import Period
from ledger.reports import clean_text
from ledger.timetable import CalendarRules
from ledger.vocab import ContactRole, EntryStatus
from models import Contact, Evidence, Obligation, Plan, ProgressEntry, Task
from services import log_context, metrics
from services.audit import Actor, record
from services.identity import Binding, Identity
from services.obligations import mark_counted, open_ledger

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
    via: str = "telegram"  # or "mini_app" (services.audit.MINI_APP)


class AmbiguousTask(ReportRefused):
    """Task N is owed under several plans: `options` are (task id, plan code, plan title)."""

    def __init__(self, number: int, options: list[tuple[int, str, str]]) -> None:
        super().__init__("ambiguous_task", number=number)
        self.number, self.options = number, options


@dataclass(frozen=True)
class Draft:
    task_number: int
    status: EntryStatus
    progress: str
    problems: str | None = None
    next_steps: str | None = None
    evidence: list[dict[str, str | None]] = field(default_factory=list)
    plan_code: str | None = None  # `要点/5`: the plan the number belongs to
    task_id: int | None = None  # a button names the task itself


@dataclass(frozen=True)
class Recorded:
    entry: ProgressEntry
    unit_name: str
    principals: list[int]  # Telegram ids to ask for 审定 (never the reporter themself)
    duplicate: bool = False


@dataclass(frozen=True)
class OwedTask:
    """A task a unit owes this period, with its plan's code and title (prompts group by plan)."""

    task: Task
    plan_code: str
    plan_title: str
    due_at: datetime | None = None  # the obligation's deadline (the late flag)


async def reportable_tasks(
    session: AsyncSession,
    binding: Binding,
    period: Period,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> list[OwedTask]:
    """The tasks a contact's unit owes for the period (the ledger of record), in plan order."""
    await open_ledger(session, period, now=now, rules=rules, tz=tz)
    rows = await session.execute(
        select(Task, Plan.code, Plan.title, Obligation.due_at)
        .join(Obligation, Obligation.task_id == Task.id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Obligation.period == period.key, Obligation.unit_id == binding.unit_id)
        .order_by(Plan.id, Task.number)
    )
    return [OwedTask(task, code, title, due) for task, code, title, due in rows]


async def resolve_task(
    session: AsyncSession,
    identity: Identity,
    period: Period,
    *,
    number: int = 0,
    plan_code: str | None = None,
    task_id: int | None = None,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> tuple[Binding, OwedTask]:
    """The contact's unit and the owed task named by id, by `CODE/N` or by N; refuse if none
    matches, and ask which plan when N is owed under several."""
    contacts = identity.units(ContactRole.CONTACT)
    if not contacts:
        raise ReportRefused("not_contact")
    found: list[tuple[Binding, OwedTask]] = []
    for binding in contacts:
        for owed in await reportable_tasks(session, binding, period, now=now, rules=rules, tz=tz):
            task = owed.task
            if task_id is not None:
                match = task.id == task_id
            else:
                match = task.number == number and plan_code in (None, owed.plan_code)
            if match:
                found.append((binding, owed))
    if not found:
        raise ReportRefused("task_not_yours", number=number)
    plans = {o.task.id: (o.task.id, o.plan_code, o.plan_title) for _, o in found}
    if len(plans) > 1:
        raise AmbiguousTask(number, list(plans.values()))
    return found[0]


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
    binding, owed = await resolve_task(
        session, identity, period, number=draft.task_number, plan_code=draft.plan_code,
        task_id=draft.task_id, now=source.at, rules=rules, tz=tz,
    )  # fmt: skip
    task, due = owed.task, owed.due_at
    current, existing = await _current_and_redelivered(
        session, task.id, binding.unit_id, period, source
    )
    if existing is not None:
        return Recorded(existing, binding.unit_name, [], duplicate=True)
    version = await _supersede(session, current, task.id, binding.unit_id, period)
    principals = await principals_of(session, binding.unit_id)
    assert due is not None, "resolve_task only returns owed tasks"
    entry = ProgressEntry(
        task_id=task.id,
        unit_id=binding.unit_id,
        period=period.key,
        version=version,
        is_current=True,
        state=first_state(bool(principals)),
        status=draft.status,
        progress=clean_text(draft.progress),
        problems=clean_text(draft.problems) if draft.problems else None,
        next_steps=clean_text(draft.next_steps) if draft.next_steps else None,
        reporter_user_id=source.user_id,
        reporter_name=source.name,
        chat_id=source.chat_id,
        message_id=source.message_id,
        submitted_at=source.at,
        late=is_late(source.at, due),
        created_at=source.at,
    )
    session.add(entry)
    await session.flush()
    if is_counted(entry.state):
        await mark_counted(
            session, period=period.key, task_id=task.id, unit_id=binding.unit_id,
            submitted_at=source.at,
        )  # fmt: skip
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
    actor = Actor(via=source.via, user_id=source.user_id, chat_id=source.chat_id)
    record(
        session,
        actor,
        "entry.submit",
        f"{binding.unit_name}/{task.number}/{period.key}",
        version=version,
        status=draft.status.value,
        late=entry.late,
    )
    return Recorded(entry, binding.unit_name, [p for p in principals if p != source.user_id])


async def _current_and_redelivered(
    session: AsyncSession, task_id: int, unit_id: int, period: Period, source: Source
) -> tuple[ProgressEntry | None, ProgressEntry | None]:
    """In one read: the unit's current version of the task, and the entry this very message
    stored before (a re-delivered update), if any."""
    e = ProgressEntry
    mine = and_(e.task_id == task_id, e.unit_id == unit_id, e.period == period.key)
    wanted = and_(mine, e.is_current)
    if source.message_id is not None:
        wanted = or_(wanted, and_(e.chat_id == source.chat_id, e.message_id == source.message_id))
    current = redelivered = None
    for row in (await session.scalars(select(e).where(wanted))).all():
        if source.message_id is not None and (row.chat_id, row.message_id) == (
            source.chat_id,
            source.message_id,
        ):
            redelivered = row
        if row.is_current and (row.task_id, row.unit_id, row.period) == (
            task_id,
            unit_id,
            period.key,
        ):
            current = row
    return current, redelivered


async def _supersede(
    session: AsyncSession, current: ProgressEntry | None, task_id: int, unit_id: int,
    period: Period,
) -> int:  # fmt: skip
    """The new version's number; the current version, if any, is superseded."""
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
    current.state = after_superseded(current.state)
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
