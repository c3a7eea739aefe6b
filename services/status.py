"""Status of a period from the ledger of record: obligations joined with the current entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.status import EntryView, ObligationView, Snapshot, UnitStatus, aggregate
from ledger.timetable import CalendarRules
from ledger.vocab import UnitRole
from models import LedgerPeriod, Obligation, Plan, ProgressEntry, Task, TaskUnit, Unit
from services.obligations import covering, open_ledger

ROLE_ORDER = (UnitRole.LEAD, UnitRole.SUPPORT, UnitRole.DATA)


@dataclass(frozen=True)
class PlanRef:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    plans: list[PlanRef]  # the plans the period owes under; empty: no plan covers it
    units: list[UnitStatus]
    ledger: LedgerPeriod | None = None

    @property
    def covered(self) -> bool:
        return bool(self.plans)

    @property
    def plan_title(self) -> str | None:
        return "；".join(p.title for p in self.plans) or None


async def period_status(
    session: AsyncSession,
    *,
    period: Period,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    unit_ids: Iterable[int] | None = None,
    task_ids: Iterable[int] | None = None,
) -> PeriodStatus:
    """What each unit owed and where its reports stand; only the given units or tasks if any."""
    ledger = await open_ledger(session, period, now=now, rules=rules, tz=tz)
    wanted = None if unit_ids is None else list(unit_ids)
    tasks = None if task_ids is None else list(task_ids)
    owed, snaps = await _obligations(session, period, wanted, tasks)
    entries = await current_entries(session, period, wanted, tasks)
    seen = {o.unit_id for o in owed} | {e.unit_id for e in entries}
    names = await unit_names(session, seen if wanted is not None or tasks is not None else None)
    units = aggregate(owed, names, entries, now=now, snapshots=snaps)
    return PeriodStatus(period, await period_plans(session, period), units, ledger)


async def period_plans(session: AsyncSession, period: Period) -> list[PlanRef]:
    """The plans the period owes under: those its obligations were written under and, while it
    is open, every plan whose window covers it."""
    written = Plan.id.in_(select(Obligation.plan_id).where(Obligation.period == period.key))
    closed = await session.scalar(
        select(LedgerPeriod.closed_at).where(LedgerPeriod.key == period.key)
    )
    condition = written if closed else written | covering(period).whereclause
    rows = await session.execute(
        select(Plan.id, Plan.code, Plan.title).where(condition).order_by(Plan.id)
    )
    return [PlanRef(i, c, t) for i, c, t in rows]


def listed_link() -> ColumnElement[bool]:
    """The document's order: plan, task, leads before supports, then the unit's place in its
    list (a collective's members take the collective's place): the obligation's link row."""
    o = Obligation
    return (
        (TaskUnit.task_id == o.task_id)
        & (TaskUnit.role == o.role)
        & (TaskUnit.unit_id == func.coalesce(o.via_unit_id, o.unit_id))
    )


async def _obligations(
    session: AsyncSession, period: Period, unit_ids: list[int] | None, task_ids: list[int] | None
) -> tuple[list[ObligationView], dict[int, Snapshot]]:
    o = Obligation
    query = (
        select(o.task_id, Task.number, Plan.code, o.unit_id, o.role, o.due_at, o.counted_at,
               o.contacts, o.has_principal, o.plan_id, TaskUnit.position)
        .join(Task, Task.id == o.task_id)
        .join(Plan, Plan.id == o.plan_id)
        .outerjoin(TaskUnit, listed_link())
        .where(o.period == period.key)
    )  # fmt: skip
    if unit_ids is not None:
        query = query.where(o.unit_id.in_(unit_ids))
    if task_ids is not None:
        query = query.where(o.task_id.in_(task_ids))
    views, snaps = [], {}
    for (
        task_id,
        number,
        code,
        unit_id,
        role,
        due_at,
        counted_at,
        contacts,
        principal,
        plan_id,
        position,
    ) in await session.execute(query):
        order = (plan_id, number, ROLE_ORDER.index(role), position or 0)
        views.append(
            ObligationView(task_id, number, code, unit_id, due_at, counted_at, role, order)
        )
        snaps[unit_id] = Snapshot(contacts, principal)
    return views, snaps


async def current_entries(
    session: AsyncSession,
    period: Period,
    unit_ids: list[int] | None,
    task_ids: list[int] | None = None,
) -> list[EntryView]:
    entry = ProgressEntry
    query = (
        select(  # columns, not entities: a 2,000-unit /status reads ~17k rows
            entry.task_id, Task.number, entry.unit_id, entry.status, entry.state, entry.progress,
            entry.submitted_at, entry.late, Plan.code,
        )
        .join(Task, Task.id == entry.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(entry.period == period.key, entry.is_current)
    )  # fmt: skip
    if unit_ids is not None:
        query = query.where(entry.unit_id.in_(unit_ids))
    if task_ids is not None:
        query = query.where(entry.task_id.in_(task_ids))
    return [
        EntryView(task, number, unit, status, state, text, submitted_at, late, code)
        for task, number, unit, status, state, text, submitted_at, late, code in (
            await session.execute(query)
        )
    ]


async def unit_names(session: AsyncSession, unit_ids: Iterable[int] | None) -> dict[int, str]:
    """Names of the units, or of every unit (None: cheaper than binding thousands of ids)."""
    query = select(Unit.id, Unit.name)
    if unit_ids is not None:
        query = query.where(Unit.id.in_(list(unit_ids)))
    return {unit_id: name for unit_id, name in await session.execute(query)}


@dataclass(frozen=True)
class TaskStatus:
    number: int
    text: str
    plan_code: str
    units: list[UnitStatus]


async def task_status(
    session: AsyncSession,
    *,
    period: Period,
    number: int,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    plan_code: str | None = None,
) -> list[TaskStatus]:
    """Task N of each plan the period owes under (or of the named plan), across its units."""
    await open_ledger(session, period, now=now, rules=rules, tz=tz)
    plans = await period_plans(session, period)
    found = []
    for plan in plans:
        if plan_code is not None and plan.code != plan_code:
            continue
        task = await session.scalar(
            select(Task).where(Task.plan_id == plan.id, Task.number == number)
        )
        if task is None:
            continue
        status = await period_status(
            session, period=period, now=now, rules=rules, tz=tz, task_ids=[task.id]
        )
        found.append(TaskStatus(task.number, task.text, plan.code, status.units))
    return found
