"""Plans as a whole: list them, close (freeze) and reopen them, carry unfinished tasks over to
the next year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.plans import default_code
from ledger.timetable import AsOf
from ledger.vocab import EntryStatus
from models import Obligation, Plan, ProgressEntry, Section, Task, TaskUnit
from services.audit import Actor, record
from services.closed_tasks import closed_tasks
from services.obligations import refresh


class PlanError(ValueError):
    """The plan cannot be found or changed; the message says why."""


@dataclass(frozen=True)
class PlanRecord:
    id: int
    year: int
    code: str
    title: str
    first_period: str
    last_period: str
    closed: bool
    tasks: int


async def list_plans(session: AsyncSession) -> list[PlanRecord]:
    counts = dict(
        (
            await session.execute(
                select(Task.plan_id, func.count()).where(Task.active).group_by(Task.plan_id)
            )
        ).all()
    )
    plans = (await session.scalars(select(Plan).order_by(Plan.year, Plan.id))).all()
    return [
        PlanRecord(p.id, p.year, p.code, p.title, p.first_period, p.last_period,
                   p.closed_at is not None, int(counts.get(p.id, 0)))
        for p in plans
    ]  # fmt: skip


async def find_plan(session: AsyncSession, year: int, code: str | None) -> Plan:
    """The plan of `year` (with `code` when the year has several)."""
    query = select(Plan).where(Plan.year == year).order_by(Plan.id)
    if code is not None:
        query = query.where(Plan.code == code)
    plans = (await session.scalars(query)).all()
    if not plans:
        raise PlanError(f"no plan {code or ''} for {year}".replace("  ", " "))
    if len(plans) > 1:
        codes = "、".join(p.code for p in plans)
        raise PlanError(f"{year} has several plans ({codes}): name one with --code")
    return plans[0]


async def set_plan_closed(
    session: AsyncSession, *, year: int, code: str | None, closed: bool, actor: Actor,
    now: datetime,
) -> Plan:  # fmt: skip
    """Close (freeze: no re-import, no new obligations) or reopen a plan. Audited."""
    plan = await find_plan(session, year, code)
    if (plan.closed_at is not None) == closed:
        raise PlanError(f"plan {plan.code} is already {'closed' if closed else 'open'}")
    plan.closed_at = now if closed else None
    record(session, actor, "plan.close" if closed else "plan.reopen", f"plan:{plan.id}",
           code=plan.code)  # fmt: skip
    return plan


async def set_support_reports(
    session: AsyncSession, *, code: str, on: bool, actor: Actor, as_of: AsOf
) -> dict[str, dict[str, int]]:
    """Turn a plan's supporting units' input (配合单位反馈) on or off; the open periods'
    obligations follow at once (closed periods keep what they owed). Audited."""
    plan = await session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise PlanError(f"no plan with code {code}: see `ledgerbot plan list`")
    if plan.support_reports == on:
        raise PlanError(f"plan {code}: support reports are already {'on' if on else 'off'}")
    plan.support_reports = on
    record(session, actor, "plan.support_reports", f"plan:{plan.id}", code=code, on=on)
    await session.flush()
    return await refresh(session, reason=f"support reports of plan {code}", actor=actor, **as_of)


@dataclass
class CarryOver:
    source: PlanRecord
    plan: PlanRecord
    carried: list[dict[str, object]] = field(default_factory=list)  # {number, text}
    finished: list[dict[str, object]] = field(default_factory=list)  # {number, text}


async def finished_tasks(session: AsyncSession, plan_id: int) -> set[int]:
    """Tasks whose owing units all reported 已完成 in the last period that owed the task, or
    had it closed (已销号)."""
    last = dict(
        (
            await session.execute(
                select(Obligation.task_id, func.max(Obligation.period))
                .where(Obligation.plan_id == plan_id)
                .group_by(Obligation.task_id)
            )
        ).all()
    )
    owing: dict[int, set[int]] = {}
    for task_id, unit_id, period in await session.execute(
        select(Obligation.task_id, Obligation.unit_id, Obligation.period).where(
            Obligation.plan_id == plan_id
        )
    ):
        if last.get(task_id) == period:
            owing.setdefault(task_id, set()).add(unit_id)
    done: dict[int, set[int]] = {}
    for task_id, unit_id, period, status in await session.execute(
        select(ProgressEntry.task_id, ProgressEntry.unit_id, ProgressEntry.period,
               ProgressEntry.status)
        .join(Task, Task.id == ProgressEntry.task_id)
        .where(Task.plan_id == plan_id, ProgressEntry.is_current)
    ):  # fmt: skip
        if last.get(task_id) == period and status == EntryStatus.DONE:
            done.setdefault(task_id, set()).add(unit_id)
    for task_id, unit_id in await closed_tasks(session):
        done.setdefault(task_id, set()).add(unit_id)
    return {task for task, units in owing.items() if units and units <= done.get(task, set())}


def _record(plan: Plan, tasks: int) -> PlanRecord:
    return PlanRecord(plan.id, plan.year, plan.code, plan.title, plan.first_period,
                      plan.last_period, plan.closed_at is not None, tasks)  # fmt: skip


async def carry_over(
    session: AsyncSession,
    *,
    from_year: int,
    to_year: int,
    code: str | None,
    actor: Actor,
    now: datetime,
) -> CarryOver:
    """Create `to_year`'s plan from the tasks of `from_year`'s plan not reported 已完成, with
    their sections and units (the quarter targets were dated, so they stay behind)."""
    if to_year <= from_year:
        raise PlanError("--to must be a later year than the plan's")
    source = await find_plan(session, from_year, code)
    title = f"{source.title}（结转至{to_year}年）"[:200]
    if await session.scalar(select(Plan.id).where(Plan.year == to_year, Plan.title == title)):
        raise PlanError(f"{to_year} already has the carried-over plan {title}")
    taken = set((await session.scalars(select(Plan.code))).all())
    plan = Plan(year=to_year, title=title, code=default_code(f"{source.code}结转", taken),
                first_period=f"{to_year:04d}-01", last_period=f"{to_year:04d}-12",
                source=f"carry-over of plan {source.id}", created_at=now)  # fmt: skip
    session.add(plan)
    await session.flush()
    finished = await finished_tasks(session, source.id)
    tasks = (
        await session.scalars(
            select(Task).where(Task.plan_id == source.id, Task.active).order_by(Task.number)
        )
    ).all()
    sections: dict[int, int] = {}
    result = CarryOver(_record(source, len(tasks)), _record(plan, 0))
    for task in tasks:
        item = {"number": task.number, "text": task.text}
        if task.id in finished:
            result.finished.append(item)
            continue
        if task.section_id is not None and task.section_id not in sections:
            old = await session.get_one(Section, task.section_id)
            new = Section(plan_id=plan.id, number=old.number, title=old.title,
                          position=old.position)  # fmt: skip
            session.add(new)
            await session.flush()
            sections[task.section_id] = new.id
        copy = Task(plan_id=plan.id, number=task.number, text=task.text,
                    section_id=sections.get(task.section_id or -1), updated_at=now)  # fmt: skip
        session.add(copy)
        await session.flush()
        for link in (
            await session.scalars(select(TaskUnit).where(TaskUnit.task_id == task.id))
        ).all():
            session.add(TaskUnit(task_id=copy.id, unit_id=link.unit_id, role=link.role,
                                 position=link.position))  # fmt: skip
        result.carried.append(item)
    result.plan = _record(plan, len(result.carried))
    record(session, actor, "plan.carry_over", f"plan:{plan.id}", source=source.id,
           carried=len(result.carried), finished=len(result.finished))  # fmt: skip
    return result
