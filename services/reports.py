"""The queries behind every report: ledgers, quarters, years and raw entries as `reports.data`.

Each reads the ledger of record (the obligations written when a period opened, frozen when it
closed) and the entries in a handful of set-based queries (never one query per unit or task), so
a 2,000-unit year stays a few seconds on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import CalendarRules, ledger_schedule, milestone_schedule
from ledger.vocab import EntryState, MilestoneOutcome, UnitRole
from models import (
    Milestone,
    MilestoneResult,
    Obligation,
    ProgressEntry,
    Section,
    Task,
    TaskUnit,
    Unit,
)
from reports.data import (
    MilestoneCheck,
    PeriodLedger,
    QuarterData,
    Record,
    TaskInfo,
    UnitRef,
    YearData,
)
from services.due import milestone_owing
from services.obligations import open_ledger
from services.report_entries import load_entries
from services.status import period_plans, unit_names

__all__ = ["last_due_period", "ledgers", "load_entries", "quarter_data", "year_data"]


async def task_infos(session: AsyncSession, plan_id: int) -> list[TaskInfo]:
    """A plan's active tasks in order, with their lead and supporting units by name."""
    rows = await session.execute(
        select(Task.id, Task.number, Task.text, Section.number, Section.title)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.plan_id == plan_id, Task.active)
        .order_by(Task.number)
    )
    tasks = [(tid, num, text, f"{sn}、{st}" if st else "") for tid, num, text, sn, st in rows]
    roles: dict[tuple[int, UnitRole], list[str]] = {}
    for task_id, role, name in await session.execute(
        select(TaskUnit.task_id, TaskUnit.role, Unit.name)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.plan_id == plan_id)
        .order_by(TaskUnit.task_id, TaskUnit.position)
    ):
        roles.setdefault((task_id, role), []).append(name)
    return [
        TaskInfo(
            tid, num, text, section,
            tuple(roles.get((tid, UnitRole.LEAD), [])),
            tuple(roles.get((tid, UnitRole.SUPPORT), [])),
        )
        for tid, num, text, section in tasks
    ]  # fmt: skip


async def _records(
    session: AsyncSession, period: Period, unit_ids: list[int] | None, as_of: datetime | None
) -> list[tuple[int, int, int, Record]]:
    """(plan, task, unit, record) of the period's obligations (due by `as_of` if given)."""
    o = Obligation
    query = select(o.plan_id, o.task_id, o.unit_id, o.due_at, o.counted_at, o.contacts,
                   o.has_principal).where(o.period == period.key)  # fmt: skip
    if unit_ids is not None:
        query = query.where(o.unit_id.in_(unit_ids))
    if as_of is not None:
        query = query.where(o.due_at <= as_of)
    approved = {
        (task, unit)
        for task, unit in await session.execute(
            select(ProgressEntry.task_id, ProgressEntry.unit_id)
            .where(ProgressEntry.period == period.key, ProgressEntry.state == EntryState.APPROVED)
            .distinct()
        )
    }
    return [
        (plan, task, unit, Record(due, counted, (task, unit) in approved, contacts, principal))
        for plan, task, unit, due, counted, contacts, principal in await session.execute(query)
    ]


async def ledgers(
    session: AsyncSession,
    *,
    periods: list[Period],
    rules: CalendarRules,
    tz: ZoneInfo,
    now: datetime,
    unit_ids: Iterable[int] | None = None,
    due_only: bool = False,
) -> list[PeriodLedger]:
    """Monthly ledgers from the ledger of record, one per (period, plan) in period then plan
    order. With `due_only` (bulletins, scorecards) only obligations whose due instant has passed
    by `now` count, and periods not yet due are left out."""
    wanted = None if unit_ids is None else list(unit_ids)
    infos: dict[int, list[TaskInfo]] = {}
    found: list[PeriodLedger] = []
    for period in periods:
        due = ledger_schedule(period, rules, tz).due_at
        if due_only and due > now:
            continue
        await open_ledger(session, period, now=now, rules=rules, tz=tz)
        records = await _records(session, period, wanted, now if due_only else None)
        plans = await period_plans(session, period)
        by_plan: dict[int, list[tuple[int, int, Record]]] = {}
        for plan_id, task_id, unit_id, record in records:
            by_plan.setdefault(plan_id, []).append((task_id, unit_id, record))
        names = await unit_names(session, {r[2] for r in records})
        entries = await load_entries(session, plan_id=None, periods=[period.key], unit_ids=wanted)
        for plan in plans:
            if plan.id not in infos:
                infos[plan.id] = await task_infos(session, plan.id)
            mine = by_plan.get(plan.id, [])
            owing: dict[int, list[UnitRef]] = {}
            for task_id, unit_id, _ in mine:
                owing.setdefault(task_id, []).append(UnitRef(names[unit_id], unit_id))
            tasks = infos[plan.id]
            for task in tasks:
                order = {name: i for i, name in enumerate(task.leads)}
                owing.get(task.id, []).sort(key=lambda u: (order.get(u.name, len(order)), u.name))
            ids = {t.id for t in tasks}
            current = {(e.task_id, e.unit.id): e for e in entries if e.task_id in ids}
            if wanted is not None or due_only:
                tasks = [t for t in tasks if t.id in owing or any(k[0] == t.id for k in current)]
            found.append(
                PeriodLedger(
                    period, plan.title, tasks, owing, current, due, plan.code,
                    {(task, unit): record for task, unit, record in mine},
                )
            )  # fmt: skip
    return found


async def milestone_checks(
    session: AsyncSession,
    quarter: Quarter,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    unit_ids: Iterable[int] | None = None,
) -> list[MilestoneCheck]:
    """The quarter's targets with the answer of every unit owing the task at the quarter's end
    (the ledger of record); none before the check's deadline has passed."""
    if milestone_schedule(quarter, rules, tz).due_at > now:
        return []
    owing = await milestone_owing(session, quarter, now=now, rules=rules, tz=tz)
    wanted = None if unit_ids is None else set(unit_ids)
    units: dict[int, list[int]] = {}
    for unit_id, items in owing.items():
        if wanted is None or unit_id in wanted:
            for item in items:
                units.setdefault(item.key, []).append(unit_id)
    if not units:
        return []
    names = await unit_names(session, {u for found in units.values() for u in found})
    answers: dict[tuple[int, int], tuple[MilestoneOutcome | None, str]] = {
        (m, u): (outcome, explanation)
        for m, u, outcome, explanation in await session.execute(
            select(MilestoneResult.milestone_id, MilestoneResult.unit_id,
                   MilestoneResult.outcome, MilestoneResult.explanation)
            .where(MilestoneResult.milestone_id.in_(list(units)))
        )
    }  # fmt: skip
    rows = await session.execute(
        select(Milestone.id, Milestone.task_id, Milestone.target, Milestone.due_date, Task.plan_id)
        .join(Task, Task.id == Milestone.task_id)
        .where(Milestone.id.in_(list(units)))
    )
    infos: dict[int, dict[int, TaskInfo]] = {}
    checks = []
    for milestone_id, task_id, target, due, plan_id in rows:
        if plan_id not in infos:
            infos[plan_id] = {t.id: t for t in await task_infos(session, plan_id)}
        task = infos[plan_id].get(task_id)
        if task is None:
            continue
        found = {
            UnitRef(names[u], u): answers.get((milestone_id, u), (None, ""))
            for u in units[milestone_id]
        }
        checks.append(MilestoneCheck(task, quarter.number, target, due, found))
    checks.sort(key=lambda c: (c.task.number, c.target))
    return checks


def _titles(ledgers: list[PeriodLedger]) -> str:
    return "；".join(dict.fromkeys(ledger.plan_title for ledger in ledgers))


async def quarter_data(
    session: AsyncSession, *, quarter: Quarter, rules: CalendarRules, tz: ZoneInfo, now: datetime
) -> QuarterData | None:
    """季通报: the quarter's ledgers whose deadline has passed, and its milestone checks."""
    months = await ledgers(
        session, periods=list(quarter.periods()), rules=rules, tz=tz, now=now, due_only=True
    )
    checks = await milestone_checks(session, quarter, now=now, rules=rules, tz=tz)
    if not months and not checks:
        return None
    titles = _titles(months) or "；".join(
        p.title for p in await period_plans(session, quarter.periods()[2])
    )
    return QuarterData(quarter, titles, months, checks)


async def year_data(
    session: AsyncSession,
    *,
    year: int,
    through: Period,
    rules: CalendarRules,
    tz: ZoneInfo,
    now: datetime,
) -> YearData | None:
    """年考评: the year's ledgers up to `through` whose deadline has passed, and the milestones
    of the quarters it ends."""
    periods = [Period(year, m) for m in range(1, 13) if Period(year, m) <= through]
    months = await ledgers(session, periods=periods, rules=rules, tz=tz, now=now, due_only=True)
    if not months:
        return None
    checks = []
    for q in range(1, 5):
        if Quarter(year, q).periods()[2] <= through:
            checks += await milestone_checks(session, Quarter(year, q), now=now, rules=rules, tz=tz)
    return YearData(year, _titles(months), months, checks)


def last_due_period(year: int, now: datetime, rules: CalendarRules, tz: ZoneInfo) -> Period:
    """The newest period of `year` whose deadline has passed by `now` (for a default scorecard)."""
    last = Period(year, 1).prev()
    for month in range(1, 13):
        period = Period(year, month)
        if ledger_schedule(period, rules, tz).due_at <= now:
            last = period
    return last
