"""延期申请: a unit's contact asks for a later due date on one task of the open period; bureau
staff approve (the obligation's due instant moves: ledger.entries.extended_due_at) or decline;
the decision goes back to the unit. Requests after the deadline are allowed and marked.

Each step is audited; the bot renders the messages and queues them with the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import after_deadline, extended_due_at, extension_refusal
from ledger.periods import Period
from ledger.timetable import CalendarRules
from ledger.vocab import RequestState
from models import ExtensionRequest, Obligation, Plan, Task, Unit
from services.audit import Actor, record
from services.due import Item, Recipient, staff_recipients, unit_people
from services.identity import Identity
from services.reporting import ReportRefused, Source, resolve_task


class ExtensionRefused(ReportRefused):
    """The request or decision cannot be made; `key` names the message."""


@dataclass(frozen=True)
class Extension:
    """A request with what its messages name: unit, task and plan."""

    request: ExtensionRequest
    unit: str
    task_number: int
    task_text: str
    plan_code: str
    people: list[Recipient] = field(default_factory=list)  # whom to tell: staff or the unit
    staff: list[tuple[int, str | None]] = field(default_factory=list)


async def request_extension(
    session: AsyncSession, *, identity: Identity, number: int, plan_code: str | None,
    until: date, reason: str, period: Period, source: Source, admin_ids: list[int],
    rules: CalendarRules, tz: ZoneInfo,
) -> Extension:  # fmt: skip
    """Record a pending request for the contact's unit on task N of `period` (refused when the
    unit does not owe it, the day is not later than its due day, or one is already pending)."""
    binding, owed = await resolve_task(
        session, identity, period, number=number, plan_code=plan_code, now=source.at,
        rules=rules, tz=tz,
    )  # fmt: skip
    due_at = await session.scalar(
        select(Obligation.due_at).where(
            Obligation.period == period.key, Obligation.task_id == owed.task.id,
            Obligation.unit_id == binding.unit_id,
        )
    )  # fmt: skip
    assert due_at is not None, "resolve_task only returns owed tasks"
    refusal = extension_refusal(until, due_at, tz)
    if refusal is not None:
        raise ExtensionRefused(refusal, number=owed.task.number)
    pending = await session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.period == period.key, ExtensionRequest.task_id == owed.task.id,
            ExtensionRequest.unit_id == binding.unit_id,
            ExtensionRequest.state == RequestState.PENDING,
        )
    )  # fmt: skip
    if pending is not None:
        raise ExtensionRefused("extend_pending", number=owed.task.number)
    row = ExtensionRequest(
        period=period.key, task_id=owed.task.id, unit_id=binding.unit_id, until=until,
        reason=reason.strip(), state=RequestState.PENDING,
        after_deadline=after_deadline(source.at, due_at), previous_due_at=due_at,
        requested_by=source.user_id, chat_id=source.chat_id, requested_at=source.at,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    record(session, Actor.telegram(source.user_id, source.chat_id), "extension.request",
           f"{binding.unit_name}/{owed.task.number}/{period.key}", request_id=row.id,
           until=until.isoformat(), after_deadline=row.after_deadline)  # fmt: skip
    staff = await staff_recipients(session, admin_ids)
    return Extension(row, binding.unit_name, owed.task.number, owed.task.text, owed.plan_code,
                     staff=staff)  # fmt: skip


async def undecided(session: AsyncSession, request_id: int) -> Extension:
    """The request still waiting for a decision (before staff type why they decline it);
    refused when it is gone or decided."""
    row = await session.get(ExtensionRequest, request_id)
    if row is None:
        raise ExtensionRefused("extension_gone")
    if row.state != RequestState.PENDING:
        raise ExtensionRefused("extension_decided", state=row.state.value)
    return await describe(session, row)


async def decide(
    session: AsyncSession, *, request_id: int, approve: bool, actor: Actor, now: datetime,
    tz: ZoneInfo, note: str | None = None,
) -> Extension:  # fmt: skip
    """同意 (the unit's due instant for that task and period moves) or 不同意 with the reason
    as typed (`note`); refused once decided (a second press, or another member of staff
    first)."""
    state = RequestState.APPROVED if approve else RequestState.REJECTED
    changed = await session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request_id, ExtensionRequest.state == RequestState.PENDING)
        .values(state=state, decided_by=actor.user_id, decided_at=now,
                decision_note=None if approve else note)
    )  # fmt: skip
    row = await session.get(ExtensionRequest, request_id, populate_existing=True)
    if row is None:
        raise ExtensionRefused("extension_gone")
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise ExtensionRefused("extension_decided", state=row.state.value)
    if approve:
        await session.execute(
            update(Obligation)
            .where(Obligation.period == row.period, Obligation.task_id == row.task_id,
                   Obligation.unit_id == row.unit_id)
            .values(due_at=extended_due_at(row.until, tz))
        )  # fmt: skip
    found = await describe(session, row)
    reason = {} if approve else {"reason": note}
    record(session, actor, "extension.approve" if approve else "extension.reject",
           f"{found.unit}/{found.task_number}/{row.period}", request_id=row.id,
           until=row.until.isoformat(), **reason)  # fmt: skip
    item = Item(found.plan_code, found.task_number, found.task_text, row.task_id)
    people = await unit_people(session, {row.unit_id: [item]})
    return Extension(row, found.unit, found.task_number, found.task_text, found.plan_code, people)


async def describe(session: AsyncSession, row: ExtensionRequest) -> Extension:
    unit = await session.scalar(select(Unit.name).where(Unit.id == row.unit_id))
    number, text, code = (
        await session.execute(
            select(Task.number, Task.text, Plan.code)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.id == row.task_id)
        )
    ).one()
    return Extension(row, unit or str(row.unit_id), number, text, code)


async def granted(session: AsyncSession, periods: list[str], until: datetime) -> list[Extension]:
    """Approved extensions about the periods, decided by `until`, by unit then task."""
    rows = await session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.period.in_(periods),
               ExtensionRequest.state == RequestState.APPROVED,
               ExtensionRequest.decided_at <= until)
        .order_by(ExtensionRequest.period, ExtensionRequest.id)
    )  # fmt: skip
    return [await describe(session, row) for row in rows.all()]
