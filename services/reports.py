"""The queries behind every report: ledgers, quarters, years and raw entries as `reports.data`.

Each loads the plan's tasks, obligations and entries in a handful of set-based queries (never
one query per unit or task), so a 2,000-unit year stays a few seconds on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import CalendarRules, ledger_schedule
from ledger.vocab import MilestoneOutcome, UnitRole
from models import Milestone, MilestoneResult, Plan, ProgressEntry, Section, Task, TaskUnit, Unit
from reports.data import (
    Entry,
    MilestoneCheck,
    PeriodLedger,
    QuarterData,
    TaskInfo,
    UnitRef,
    YearData,
)
from services.obligations import load_owed
from services.periods import due_at, plan_for


@dataclass(frozen=True)
class PlanView:
    """A plan's active tasks and who owes each (the registry as it stands now)."""

    plan: Plan
    tasks: list[TaskInfo]
    owing: dict[int, list[UnitRef]]


async def plan_view(
    session: AsyncSession, plan: Plan, unit_ids: Iterable[int] | None = None
) -> PlanView:
    rows = await session.execute(
        select(Task.id, Task.number, Task.text, Section.number, Section.title)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.plan_id == plan.id, Task.active)
        .order_by(Task.number)
    )
    tasks = [(tid, num, text, f"{sn}、{st}" if st else "") for tid, num, text, sn, st in rows]
    roles: dict[tuple[int, UnitRole], list[str]] = {}
    for task_id, role, name in await session.execute(
        select(TaskUnit.task_id, TaskUnit.role, Unit.name)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.plan_id == plan.id)
        .order_by(TaskUnit.task_id, TaskUnit.position)
    ):
        roles.setdefault((task_id, role), []).append(name)
    infos = [
        TaskInfo(
            tid,
            num,
            text,
            section,
            tuple(roles.get((tid, UnitRole.LEAD), [])),
            tuple(roles.get((tid, UnitRole.SUPPORT), [])),
        )
        for tid, num, text, section in tasks
    ]
    owed = await load_owed(session, plan.id, unit_ids)
    names = await unit_names(session, owed)
    lead_order = {(t.id, name): i for t in infos for i, name in enumerate(t.leads)}
    owing: dict[int, list[UnitRef]] = {}
    for unit_id, task_ids in owed.items():
        for task_id in task_ids:
            owing.setdefault(task_id, []).append(UnitRef(names[unit_id], unit_id))
    for task_id, units in owing.items():
        units.sort(key=lambda u: (lead_order.get((task_id, u.name), len(lead_order)), u.name))
    if unit_ids is not None:
        infos = [t for t in infos if t.id in owing]
    return PlanView(plan, infos, owing)


async def unit_names(session: AsyncSession, unit_ids: Iterable[int]) -> dict[int, str]:
    wanted = list(unit_ids)
    rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))
    return {unit_id: name for unit_id, name in rows}


_ENTRY_COLUMNS = (
    ProgressEntry.id,
    ProgressEntry.task_id,
    Task.number,
    Unit.name,
    ProgressEntry.unit_id,
    ProgressEntry.period,
    ProgressEntry.version,
    ProgressEntry.is_current,
    ProgressEntry.state,
    ProgressEntry.status,
    ProgressEntry.progress,
    ProgressEntry.problems,
    ProgressEntry.next_steps,
    ProgressEntry.reporter_name,
    ProgressEntry.reporter_user_id,
    ProgressEntry.submitted_at,
    ProgressEntry.late,
    ProgressEntry.reviewed_by,
    ProgressEntry.reviewed_at,
    ProgressEntry.review_note,
    Task.text,
)


async def load_entries(
    session: AsyncSession,
    *,
    plan_id: int | None,
    periods: list[str] | None = None,
    year: int | None = None,
    current_only: bool = True,
    unit_ids: Iterable[int] | None = None,
) -> list[Entry]:
    """Entries (all versions unless `current_only`) by period list or plan year, oldest first.

    Plain columns, not ORM objects: a year of a large registry is tens of thousands of rows."""
    query = (
        select(*_ENTRY_COLUMNS)
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .order_by(ProgressEntry.period, Task.number, Unit.name, ProgressEntry.version)
    )
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    if periods is not None:
        query = query.where(ProgressEntry.period.in_(periods))
    if year is not None:
        query = query.where(ProgressEntry.period.between(f"{year:04d}-01", f"{year:04d}-12"))
    if current_only:
        query = query.where(ProgressEntry.is_current)
    if unit_ids is not None:
        query = query.where(ProgressEntry.unit_id.in_(list(unit_ids)))
    return [_entry(row) for row in await session.execute(query)]


def _entry(row: Any) -> Entry:
    (entry_id, task_id, number, unit, unit_id, period, version, is_current, state, status,
     progress, problems, next_steps, reporter, reporter_user_id, submitted_at, late,
     reviewed_by, reviewed_at, review_note, task_text) = row  # fmt: skip
    return Entry(
        entry_id, task_id, number, UnitRef(unit, unit_id), period, version, is_current, state,
        status, progress, problems, next_steps, reporter, reporter_user_id, submitted_at, late,
        reviewed_by, reviewed_at, review_note, task_text,
    )  # fmt: skip


async def ledgers(
    session: AsyncSession,
    *,
    periods: list[Period],
    rules: CalendarRules,
    tz: ZoneInfo,
    unit_ids: Iterable[int] | None = None,
) -> list[PeriodLedger]:
    """Monthly ledgers, each against the plan its period reports on."""
    wanted = None if unit_ids is None else list(unit_ids)
    views: dict[int, PlanView] = {}
    by_plan: dict[int, list[Period]] = {}
    for period in periods:
        plan = await plan_for(session, period)
        if plan is None:
            continue
        if plan.id not in views:
            views[plan.id] = await plan_view(session, plan, wanted)
        by_plan.setdefault(plan.id, []).append(period)
    result: dict[Period, PeriodLedger] = {}
    for plan_id, plan_periods in by_plan.items():
        view = views[plan_id]
        keys = [p.key for p in plan_periods]
        current: dict[str, dict[tuple[int, int], Entry]] = {key: {} for key in keys}
        for entry in await load_entries(session, plan_id=plan_id, periods=keys, unit_ids=wanted):
            current[entry.period][(entry.task_id, entry.unit.id)] = entry
        for period in plan_periods:
            result[period] = PeriodLedger(
                period,
                view.plan.title,
                view.tasks,
                view.owing,
                current[period.key],
                await due_at(session, period, rules, tz),
            )
    return [result[p] for p in periods if p in result]


async def milestone_checks(
    session: AsyncSession, view: PlanView, quarters: Iterable[int]
) -> list[MilestoneCheck]:
    """Each task's targets in `quarters` with the answer of every unit that owes the task."""
    wanted = list(quarters)
    milestones = (
        await session.execute(
            select(
                Milestone.id,
                Milestone.task_id,
                Milestone.quarter,
                Milestone.target,
                Milestone.due_date,
            )
            .join(Task, Task.id == Milestone.task_id)
            .where(Task.plan_id == view.plan.id, Milestone.quarter.in_(wanted))
        )
    ).all()
    answers: dict[tuple[int, int], tuple[MilestoneOutcome | None, str]] = {}
    for milestone_id, unit_id, outcome, explanation in await session.execute(
        select(
            MilestoneResult.milestone_id,
            MilestoneResult.unit_id,
            MilestoneResult.outcome,
            MilestoneResult.explanation,
        ).where(MilestoneResult.milestone_id.in_([m[0] for m in milestones]))
    ):
        answers[(milestone_id, unit_id)] = (outcome, explanation)
    by_task = {t.id: t for t in view.tasks}
    checks = []
    for milestone_id, task_id, quarter, target, due in sorted(milestones, key=lambda m: m[2]):
        task = by_task.get(task_id)
        if task is None:
            continue
        found = {
            unit: answers.get((milestone_id, unit.id), (None, ""))
            for unit in view.owing.get(task_id, [])
        }
        checks.append(MilestoneCheck(task, quarter, target, due, found))
    checks.sort(key=lambda c: (c.quarter, c.task.number))
    return checks


async def quarter_data(
    session: AsyncSession, *, quarter: Quarter, rules: CalendarRules, tz: ZoneInfo
) -> QuarterData | None:
    """季通报: the quarter's three ledgers and its milestone checks."""
    plan = await plan_for(session, quarter.periods()[0])
    if plan is None:
        return None
    months = await ledgers(session, periods=list(quarter.periods()), rules=rules, tz=tz)
    view = await plan_view(session, plan)
    checks = await milestone_checks(session, view, [quarter.number])
    return QuarterData(quarter, plan.title, months, checks)


async def year_data(
    session: AsyncSession, *, year: int, through: Period, rules: CalendarRules, tz: ZoneInfo
) -> YearData | None:
    """年考评: the year's ledgers up to `through`, and the milestones of the quarters it ends."""
    periods = [Period(year, m) for m in range(1, 13) if Period(year, m) <= through]
    plan = await session.scalar(select(Plan).where(Plan.year == year).order_by(Plan.id.desc()))
    plan = plan or (await plan_for(session, Period(year, 1)))
    if plan is None or not periods:
        return None
    months = await ledgers(session, periods=periods, rules=rules, tz=tz)
    quarters = [q for q in range(1, 5) if Quarter(year, q).periods()[2] <= through]
    view = await plan_view(session, plan)
    return YearData(year, plan.title, months, await milestone_checks(session, view, quarters))


def last_due_period(year: int, now: datetime, rules: CalendarRules, tz: ZoneInfo) -> Period:
    """The newest period of `year` whose deadline has passed by `now` (for a default scorecard)."""
    last = Period(year, 1).prev()
    for month in range(1, 13):
        period = Period(year, month)
        if ledger_schedule(period, rules, tz).due_at <= now:
            last = period
    return last
