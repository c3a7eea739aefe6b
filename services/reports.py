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
    Plan,
    ProgressEntry,
    Section,
    Task,
    TaskUnit,
    Unit,
)
from reports.data import (
    Entry,
    MilestoneCheck,
    PeriodLedger,
    PlanInfo,
    Record,
    TaskInfo,
    UnitRef,
)
from services.closed_tasks import closures_in_force
from services.due import milestone_owing
from services.obligations import open_ledger
from services.report_entries import load_entries
from services.status import PlanRef, period_plans, unit_names

__all__ = ["ledgers", "load_entries", "milestone_checks", "task_infos"]


async def task_infos(session: AsyncSession, plan_id: int) -> list[TaskInfo]:
    """A plan's tasks in order (removed ones too, marked inactive: a closed period keeps what
    it owed), with their lead and supporting units by name."""
    rows = await session.execute(
        select(Task.id, Task.number, Task.text, Section.number, Section.title, Task.active)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.plan_id == plan_id)
        .order_by(Task.number, Task.id)
    )
    tasks = [
        (tid, num, text, f"{sn}、{st}" if st else "", active)
        for tid, num, text, sn, st, active in rows
    ]
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
            bool(active),
        )
        for tid, num, text, section, active in tasks
    ]  # fmt: skip


Found = tuple[int, int, int, Record, UnitRole]


async def _records(
    session: AsyncSession, period: Period, unit_ids: list[int] | None, as_of: datetime | None
) -> list[Found]:
    """(plan, task, unit, record, role) of the period's obligations (due by `as_of` if given)."""
    o = Obligation
    query = select(o.plan_id, o.task_id, o.unit_id, o.due_at, o.counted_at, o.contacts,
                   o.has_principal, o.role).where(o.period == period.key)  # fmt: skip
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
        (
            plan,
            task,
            unit,
            Record(due, counted, (task, unit) in approved, contacts, principal),
            role,
        )
        for plan, task, unit, due, counted, contacts, principal, role in await session.execute(
            query
        )
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
    order (a period asked for twice comes once). With `due_only` (bulletins, scorecards) only
    obligations whose due instant has passed by `now` count, and periods not yet due are left
    out. With `unit_ids`, a plan under which those units owe and reported nothing that period
    is left out, unless that would leave the period without any sheet."""
    wanted = None if unit_ids is None else list(unit_ids)
    infos: dict[int, list[TaskInfo]] = {}
    found: list[PeriodLedger] = []
    for period in dict.fromkeys(periods):
        due = ledger_schedule(period, rules, tz).due_at
        if due_only and due > now:
            continue
        await open_ledger(session, period, now=now, rules=rules, tz=tz)
        records = await _records(session, period, wanted, now if due_only else None)
        plans = await period_plans(session, period)
        by_plan: dict[int, list[tuple[int, int, Record, UnitRole]]] = {}
        for plan_id, task_id, unit_id, record, role in records:
            by_plan.setdefault(plan_id, []).append((task_id, unit_id, record, role))
        names = await unit_names(session, {r[2] for r in records})
        entries = await load_entries(session, plan_id=None, periods=[period.key], unit_ids=wanted)
        month: list[PeriodLedger] = []
        for plan in plans:
            if plan.id not in infos:
                infos[plan.id] = await task_infos(session, plan.id)
            month.append(
                _plan_ledger(period, plan, infos[plan.id], by_plan.get(plan.id, []), names,
                             entries, due, narrow=wanted is not None or due_only)
            )  # fmt: skip
        if wanted is not None and any(ledger.tasks for ledger in month):
            month = [ledger for ledger in month if ledger.tasks]
        found += month
    closed = await closures_in_force(session)  # 已销号 rows (reports.ledger_xlsx)
    for ledger in found:
        ledger.closed.update({k: v for k, v in closed.items() if v[0] <= ledger.period.key})
    return found


def _plan_ledger(
    period: Period,
    plan: PlanRef,
    tasks: list[TaskInfo],
    mine: list[tuple[int, int, Record, UnitRole]],
    names: dict[int, str],
    entries: list[Entry],
    due: datetime,
    *,
    narrow: bool,
) -> PeriodLedger:
    """One plan's ledger of a period: its tasks (only those owed or reported on when `narrow`;
    a removed task only where it was owed or reported on), owing units in lead order."""
    owing: dict[int, list[UnitRef]] = {}
    supporting: dict[int, list[UnitRef]] = {}
    for task_id, unit_id, _, role in mine:
        found = supporting if role == UnitRole.SUPPORT else owing
        found.setdefault(task_id, []).append(UnitRef(names[unit_id], unit_id))
    for task in tasks:
        for units, named in ((owing, task.leads), (supporting, task.supports)):
            order = {name: i for i, name in enumerate(named)}
            units.get(task.id, []).sort(key=lambda u: (order.get(u.name, len(order)), u.name))
    ids = {t.id for t in tasks}
    current = {(e.task_id, e.unit.id): e for e in entries if e.task_id in ids}
    reported = {task_id for task_id, _ in current}
    tasks = [
        t for t in tasks
        if (t.active and not narrow) or t.id in owing or t.id in supporting or t.id in reported
    ]  # fmt: skip
    records = {(task, unit): record for task, unit, record, _ in mine}
    return PeriodLedger(period, plan.title, tasks, owing, current, due, plan.code, records,
                        plan.id, supporting)  # fmt: skip


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
        select(Milestone.id, Milestone.task_id, Milestone.target, Milestone.due_date, Plan.id,
               Plan.code, Plan.title)
        .join(Task, Task.id == Milestone.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Milestone.id.in_(list(units)))
    )  # fmt: skip
    infos: dict[int, dict[int, TaskInfo]] = {}
    checks = []
    for milestone_id, task_id, target, due, plan_id, code, title in rows:
        if plan_id not in infos:
            infos[plan_id] = {t.id: t for t in await task_infos(session, plan_id)}
        task = infos[plan_id].get(task_id)
        if task is None:
            continue
        order = {name: i for i, name in enumerate(task.leads)}
        owing_units = sorted(
            (UnitRef(names[u], u) for u in units[milestone_id]),
            key=lambda u: (order.get(u.name, len(order)), u.name),
        )
        found = {unit: answers.get((milestone_id, unit.id), (None, "")) for unit in owing_units}
        plan = PlanInfo(plan_id, code, title)
        checks.append(MilestoneCheck(task, quarter.number, target, due, found, plan))
    checks.sort(key=lambda c: (c.plan.id, c.task.number, c.target))
    return checks
