"""销号: the lead unit asks to close a finished task (`/close N`), its principal approves, staff
confirm 确认销号 or send it back; staff can reopen. The rules are ledger.closure; each step is
audited, and the bot queues the messages with the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.closure import after_decision, close_refusal, first_state
from ledger.periods import Period
from ledger.timetable import CalendarRules
from ledger.vocab import ClosureState, ContactRole, EntryStatus, UnitRole
from models import Closure, Obligation, Plan, ProgressEntry, Task, Unit
from services.audit import Actor, record
from services.due import Item, Recipient, languages, staff_recipients, unit_people
from services.identity import Identity
from services.obligations import refresh
from services.reporting import ReportRefused, Source, principals_of, resolve_task


class ClosureRefused(ReportRefused):
    """The step cannot be taken; `key` names the message."""


@dataclass(frozen=True)
class ClosureStep:
    """A closure after a step, with what messages name and who is told next: `ask` (user id,
    language) are asked to decide, `unit_people` are told the outcome."""

    closure: Closure
    unit: str
    task_number: int
    task_text: str
    ask: list[tuple[int, str | None]] = field(default_factory=list)
    people: list[Recipient] = field(default_factory=list)


async def describe(session: AsyncSession, row: Closure) -> tuple[str, int, str]:
    """The unit's name, the task's number and text: what messages about `row` name."""
    unit = await session.scalar(select(Unit.name).where(Unit.id == row.unit_id))
    number, text = (
        await session.execute(select(Task.number, Task.text).where(Task.id == row.task_id))
    ).one()
    return unit or str(row.unit_id), number, text


async def latest(session: AsyncSession, task_id: int, unit_id: int) -> Closure | None:
    return await session.scalar(
        select(Closure).where(Closure.task_id == task_id, Closure.unit_id == unit_id)
        .order_by(Closure.id.desc()).limit(1)
    )  # fmt: skip


async def may_ask_closure(session: AsyncSession, entry: ProgressEntry) -> bool:
    """Whether a stored report could be followed by a closing request: it says 已完成 and its
    unit leads the task that period (the [申请销号] button under its confirmation)."""
    if entry.status != EntryStatus.DONE:
        return False
    role = await session.scalar(
        select(Obligation.role).where(Obligation.period == entry.period,
                                      Obligation.task_id == entry.task_id,
                                      Obligation.unit_id == entry.unit_id)
    )  # fmt: skip
    return role == UnitRole.LEAD


async def request_closure(
    session: AsyncSession, *, identity: Identity, number: int, plan_code: str | None,
    period: Period, source: Source, admin_ids: list[int], rules: CalendarRules, tz: ZoneInfo,
    task_id: int | None = None,
) -> ClosureStep:  # fmt: skip
    """The contact's unit asks to close task N (or the task `task_id`, from [申请销号]): it
    leads it and its current report this period says 已完成; its principal is asked, or staff
    when it has none."""
    binding, owed = await resolve_task(
        session, identity, period, number=number, plan_code=plan_code, task_id=task_id,
        now=source.at, rules=rules, tz=tz,
    )  # fmt: skip
    task_id, unit_id = owed.task.id, binding.unit_id
    role = await session.scalar(
        select(Obligation.role).where(Obligation.period == period.key,
                                      Obligation.task_id == task_id, Obligation.unit_id == unit_id)
    )  # fmt: skip
    status = await session.scalar(
        select(ProgressEntry.status).where(
            ProgressEntry.task_id == task_id, ProgressEntry.unit_id == unit_id,
            ProgressEntry.period == period.key, ProgressEntry.is_current,
        )
    )  # fmt: skip
    before = await latest(session, task_id, unit_id)
    refusal = close_refusal(role=role, status=status, state=before.state if before else None)
    if refusal is not None:
        raise ClosureRefused(refusal, number=owed.task.number)
    principals = [p for p in await principals_of(session, unit_id) if p != source.user_id]
    row = Closure(task_id=task_id, unit_id=unit_id, period=period.key,
                  state=first_state(bool(principals)), requested_by=source.user_id,
                  requested_at=source.at)  # fmt: skip
    session.add(row)
    await session.flush()
    record(session, Actor.telegram(source.user_id, source.chat_id), "closure.request",
           f"{binding.unit_name}/{owed.task.number}", closure_id=row.id)  # fmt: skip
    if principals:
        langs = await languages(session, set(principals))
        ask = [(p, langs.get(p)) for p in principals]
    else:
        ask = await staff_recipients(session, admin_ids)
    return ClosureStep(row, binding.unit_name, owed.task.number, owed.task.text, ask)


async def decidable(
    session: AsyncSession, *, identity: Identity, closure_id: int, by_staff: bool, approve: bool
) -> tuple[Closure, ClosureState]:
    """The closure and the state this decision leads to; refused when the step is not the
    caller's (not staff, not the unit's principal) or no longer open (decided, or the other
    step)."""
    row = await session.get(Closure, closure_id)
    if row is None:
        raise ClosureRefused("closure_gone")
    principal_of = {b.unit_id for b in identity.units(ContactRole.PRINCIPAL)}
    if (by_staff and not identity.is_staff) or (not by_staff and row.unit_id not in principal_of):
        raise ClosureRefused("closure_not_yours")
    state = after_decision(row.state, by_staff=by_staff, approve=approve)
    if state is None:
        raise ClosureRefused("closure_decided")
    return row, state


async def decide_closure(
    session: AsyncSession, *, identity: Identity, closure_id: int, by_staff: bool,
    approve: bool, now: datetime, admin_ids: list[int], tz: ZoneInfo, actor: Actor,
    reason: str | None = None,
) -> ClosureStep:  # fmt: skip
    """The principal's 同意 / 退回, or staff's 确认销号 / 退回 (with the reason as typed);
    refused when not theirs or done."""
    row, state = await decidable(
        session, identity=identity, closure_id=closure_id, by_staff=by_staff, approve=approve
    )
    values: dict[str, object] = {"state": state}
    if state == ClosureState.RETURNED:
        values["return_reason"] = reason
    if by_staff:
        values |= {"decided_by": identity.user_id, "decided_at": now}
        values |= {"closed_on": now.astimezone(tz).date()} if state == ClosureState.CLOSED else {}
    else:
        values["approved_by"] = identity.user_id
    changed = await session.execute(
        update(Closure).where(Closure.id == row.id, Closure.state == row.state).values(**values)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise ClosureRefused("closure_decided")
    await session.refresh(row)
    unit, number, text = await describe(session, row)
    noted = {"reason": reason} if state == ClosureState.RETURNED else {}
    record(session, actor, f"closure.{state.value}", f"{unit}/{number}", closure_id=row.id,
           **noted)  # fmt: skip
    if state == ClosureState.AWAITING_STAFF:
        return ClosureStep(row, unit, number, text, await staff_recipients(session, admin_ids))
    people = await unit_people(session, {row.unit_id: [Item("", number, text, row.task_id)]})
    return ClosureStep(row, unit, number, text, people=people)


async def reopen_closure(
    session: AsyncSession, *, unit_id: int, number: int, plan_code: str | None, actor: Actor,
    now: datetime, rules: CalendarRules, tz: ZoneInfo,
) -> ClosureStep:  # fmt: skip
    """Staff reopen a closed task for the unit: owed again from the periods still open that
    opened after it closed (the ledger of record is refreshed). Audited."""
    query = (
        select(Closure).join(Task, Task.id == Closure.task_id).join(Plan, Plan.id == Task.plan_id)
        .where(Closure.unit_id == unit_id, Task.number == number,
               Closure.state == ClosureState.CLOSED)
    )  # fmt: skip
    if plan_code is not None:
        query = query.where(Plan.code == plan_code)
    rows = (await session.scalars(query)).all()
    if len(rows) != 1:
        raise ClosureRefused("reopen_none" if not rows else "reopen_ambiguous", number=number)
    row = rows[0]
    row.state, row.reopened_by = ClosureState.REOPENED, actor.user_id
    await session.flush()
    unit, number, text = await describe(session, row)
    record(session, actor, "closure.reopen", f"{unit}/{number}", closure_id=row.id)
    await refresh(session, reason=f"reopened {unit}/{number}", actor=actor, now=now, rules=rules,
                  tz=tz)  # fmt: skip
    people = await unit_people(session, {row.unit_id: [Item("", number, text, row.task_id)]})
    return ClosureStep(row, unit, number, text, people=people)
