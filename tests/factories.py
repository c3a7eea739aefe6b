"""Small row builders for tests: real rows in a real database, nothing mocked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.plans import default_code
from ledger.vocab import UnitKind, UnitRole
from models import Milestone, Plan, Section, Task, TaskUnit, Unit


async def make_unit(session: AsyncSession, name: str, kind: UnitKind = UnitKind.DEPARTMENT) -> Unit:
    unit = Unit(name=name, kind=kind)
    session.add(unit)
    await session.flush()
    return unit


async def make_plan(
    session: AsyncSession,
    year: int = 2023,
    title: str = "工作要点",
    *,
    code: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> Plan:
    """A plan owed over its whole year by default; its code comes from the title."""
    taken = set((await session.scalars(select(Plan.code))).all())
    plan = Plan(
        year=year,
        title=title,
        source="test",
        code=code or default_code(title, taken),
        first_period=first or f"{year:04d}-01",
        last_period=last or f"{year:04d}-12",
    )
    session.add(plan)
    await session.flush()
    return plan


async def make_task(
    session: AsyncSession,
    plan: Plan,
    number: int,
    *,
    leads: list[Unit] = (),  # type: ignore[assignment]
    supports: list[Unit] = (),  # type: ignore[assignment]
    section: Section | None = None,
    text: str | None = None,
    milestones: dict[int, str] | None = None,
) -> Task:
    task = Task(plan=plan, number=number, text=text or f"任务{number}", section=section)
    session.add(task)
    await session.flush()
    for position, unit in enumerate(leads):
        session.add(
            TaskUnit(task_id=task.id, unit_id=unit.id, role=UnitRole.LEAD, position=position)
        )
    for position, unit in enumerate(supports):
        session.add(
            TaskUnit(task_id=task.id, unit_id=unit.id, role=UnitRole.SUPPORT, position=position)
        )
    for quarter, target in (milestones or {}).items():
        month = quarter * 3
        last_day = 31 if month in (3, 12) else 30
        session.add(
            Milestone(
                task_id=task.id,
                quarter=quarter,
                target=target,
                due_date=date(plan.year, month, last_day),
            )
        )
    await session.flush()
    return task
