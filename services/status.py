"""Status of a period from the ledger of record: obligations joined with the current entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, case, cast, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.status import (
    UNORDERED,
    Counts,
    EntryView,
    ObligationView,
    Snapshot,
    UnitStatus,
    aggregate,
    in_status_order,
)
from ledger.timetable import CalendarRules
from ledger.vocab import EntryState, UnitRole
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


PLACE = 1_000_000  # a unit's first obligation in one integer: (plan, number, role, position)


def _order(place: int) -> tuple[int, ...]:
    """The `ObligationView.order` that `place` encodes (positions below 1,000)."""
    rest, position = divmod(place, 1000)
    rest, role = divmod(rest, 4)
    plan, number = divmod(rest, PLACE)
    return (plan, number, role, position)


async def period_summary(
    session: AsyncSession,
    *,
    period: Period,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> PeriodStatus:
    """`period_status` of every unit as counts only, counted by the database: what the staff
    /status and /overdue show, in milliseconds at 2,000 units (issue #17). The counting follows
    ledger.entries (counted, late at or after the due instant, waiting for 审定, overdue), and a
    test holds it to `ledger.status.aggregate` on the same rows. Its units have no lists."""
    ledger = await open_ledger(session, period, now=now, rules=rules, tz=tz)
    o, e = Obligation, ProgressEntry
    role_index = case(*((o.role == r, i) for i, r in enumerate(ROLE_ORDER)), else_=3)
    owed = (
        select(
            o.unit_id, func.count().label("owed"), func.count(o.counted_at).label("counted"),
            func.sum(case((o.counted_at >= o.due_at, 1), else_=0)).label("late"),
            func.sum(case((o.counted_at.is_(None) & (o.due_at <= now), 1), else_=0)).label("due"),
            func.sum(case((o.role == UnitRole.SUPPORT, 1), else_=0)).label("support"),
            func.sum(case(((o.role == UnitRole.SUPPORT) & o.counted_at.is_not(None), 1),
                          else_=0)).label("support_counted"),
            func.max(o.contacts).label("contacts"),
            func.max(case((o.has_principal, 1), else_=0)).label("principal"),
            func.min(((cast(o.plan_id, BigInteger) * PLACE + Task.number) * 4 + role_index) * 1000
                     + func.coalesce(TaskUnit.position, 0)).label("place"),
        )
        .join(Task, Task.id == o.task_id)
        .outerjoin(TaskUnit, listed_link())
        .where(o.period == period.key)
        .group_by(o.unit_id)
        .subquery()
    )  # fmt: skip
    submitted = select(e.task_id, e.unit_id).where(  # few rows, found by index
        e.period == period.key, e.state == EntryState.SUBMITTED, e.is_current
    )
    waiting = {  # owed, not counted, its current entry waiting for 审定
        unit: (int(count), int(past_due or 0))
        for unit, count, past_due in await session.execute(
            select(o.unit_id, func.count(), func.sum(case((o.due_at <= now, 1), else_=0)))
            .where(o.period == period.key, o.counted_at.is_(None),
                   tuple_(o.task_id, o.unit_id).in_(submitted))
            .group_by(o.unit_id)
        )
    }  # fmt: skip
    units: list[UnitStatus] = []
    first: dict[int, tuple[int, ...]] = {}
    for row in await session.execute(select(owed, Unit.name).join(Unit, Unit.id == owed.c.unit_id)):
        waits, waits_due = waiting.get(row.unit_id, (0, 0))
        counts = Counts(
            row.owed, row.counted, waits, int(row.late), int(row.support), int(row.support_counted)
        )
        units.append(
            UnitStatus(row.unit_id, row.name, contacts=int(row.contacts),
                       principal=bool(row.principal), overdue=int(row.due) - waits_due,
                       counts=counts)
        )  # fmt: skip
        first[row.unit_id] = _order(int(row.place))
    owing = select(o.unit_id).where(o.period == period.key)
    reported = await session.execute(  # a report is never hidden, even on a task not owed
        select(e.unit_id, Unit.name)
        .join(Unit, Unit.id == e.unit_id)
        .where(e.period == period.key, e.is_current, e.unit_id.not_in(owing))
        .distinct()
    )
    for unit_id, name in reported:
        units.append(UnitStatus(unit_id, name, counts=Counts(0, 0, 0, 0)))
        first[unit_id] = UNORDERED
    ordered = in_status_order(units, first)
    return PeriodStatus(period, await period_plans(session, period), ordered, ledger)
