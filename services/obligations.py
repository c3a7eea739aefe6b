"""Load what each unit owes for a plan (the rule itself lives in ledger.obligations)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.obligations import Link, owed_tasks
from ledger.vocab import UnitRole
from models import Task, TaskUnit, Unit, UnitMember


async def load_owed(
    session: AsyncSession, plan_id: int, unit_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """unit id → ids of the plan's active tasks it leads (directly or via a collective)."""
    links = [
        Link(task_id, unit_id, role)
        for task_id, unit_id, role in (
            await session.execute(
                select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role)
                .join(Task, Task.id == TaskUnit.task_id)
                .where(Task.plan_id == plan_id, Task.active, TaskUnit.role == UnitRole.LEAD)
            )
        )
    ]
    members: dict[int, list[int]] = {}
    for collective_id, member_id in await session.execute(
        select(UnitMember.collective_id, UnitMember.member_id)
    ):
        members.setdefault(collective_id, []).append(member_id)
    paused = (await session.scalars(select(Unit.id).where(Unit.paused))).all()
    owed = owed_tasks(links, members, paused)
    if unit_ids is not None:
        wanted = set(unit_ids)
        owed = {unit: tasks for unit, tasks in owed.items() if unit in wanted}
    return owed
