"""Read the registry: units and tasks as plain records for the CLI, the bot and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ledger.vocab import UnitRole
from models import Plan, Task, TaskUnit, Unit, UnitMember
from services.pauses import paused_units
from services.units import find_unit


@dataclass(frozen=True)
class UnitRecord:
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    paused: bool = False


@dataclass(frozen=True)
class TaskRecord:
    plan_year: int
    number: int
    section: str | None
    text: str
    lead_units: list[str]
    support_units: list[str]
    data_units: list[str]
    milestones: dict[str, str]


async def list_units(*, session: AsyncSession, today: date | None = None) -> list[UnitRecord]:
    """Every unit with its aliases and members; `paused` means paused on `today` (if given)."""
    units = (
        await session.scalars(select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.name))
    ).all()
    member_rows = (
        await session.execute(
            select(UnitMember.collective_id, Unit.name)
            .join(Unit, Unit.id == UnitMember.member_id)
            .order_by(Unit.name)
        )
    ).all()
    paused = await paused_units(session, today) if today is not None else set()
    members: dict[int, list[str]] = {}
    for collective_id, name in member_rows:
        members.setdefault(collective_id, []).append(name)
    return [
        UnitRecord(
            name=unit.name,
            kind=unit.kind.value,
            aliases=sorted(alias.alias for alias in unit.aliases),
            members=members.get(unit.id, []),
            paused=unit.id in paused,
        )
        for unit in units
    ]


async def list_tasks(
    *, session: AsyncSession, plan_year: int | None = None, unit_name: str | None = None
) -> list[TaskRecord]:
    query = (
        select(Task)
        .join(Plan)
        .where(Task.active)
        .options(
            selectinload(Task.plan),
            selectinload(Task.section),
            selectinload(Task.milestones),
            selectinload(Task.unit_links).selectinload(TaskUnit.unit),
        )
        .order_by(Plan.year, Plan.id, Task.number)
    )
    if plan_year is not None:
        query = query.where(Plan.year == plan_year)
    if unit_name is not None:
        unit = await find_unit(session, unit_name)  # the name or any alias
        unit_id = unit.id if unit is not None else -1
        # A unit works on its own tasks and on those of the collectives it belongs to
        # (安岳县 through 各县(区)), as the ledger of record has it.
        collectives = select(UnitMember.collective_id).where(UnitMember.member_id == unit_id)
        listed = (TaskUnit.unit_id == unit_id) | TaskUnit.unit_id.in_(collectives)
        query = query.where(Task.id.in_(select(TaskUnit.task_id).where(listed)))
    return [_task_record(task) for task in (await session.scalars(query)).all()]


def _task_record(task: Task) -> TaskRecord:
    def units(role: UnitRole) -> list[str]:
        return [link.unit.name for link in task.unit_links if link.role == role]

    return TaskRecord(
        plan_year=task.plan.year,
        number=task.number,
        section=task.section.number if task.section else None,
        text=task.text,
        lead_units=units(UnitRole.LEAD),
        support_units=units(UnitRole.SUPPORT),
        data_units=units(UnitRole.DATA),
        milestones={f"Q{m.quarter}": m.target for m in task.milestones},
    )
