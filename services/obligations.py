"""Load what each unit owes for a plan (the rule itself lives in ledger.obligations)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.obligations import Link, owed_tasks
from ledger.vocab import UnitRole
from models import Task, TaskUnit, Unit, UnitMember


async def load_owed(
    session: AsyncSession,
    plan_id: int,
    unit_ids: Iterable[int] | None = None,
    *,
    task_id: int | None = None,
) -> dict[int, set[int]]:
    """unit id → ids of the plan's active tasks it leads (directly or via a collective).

    With ``unit_ids`` only those units' obligations are loaded (their own lead links and those
    of the collectives they belong to), with ``task_id`` only that task's: a contact's /report
    or /status, or ``/status N``, does not read the whole plan's links.
    """
    members: dict[int, list[int]] = {}
    for collective_id, member_id in await session.execute(
        select(UnitMember.collective_id, UnitMember.member_id)
    ):
        members.setdefault(collective_id, []).append(member_id)
    query = (
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.plan_id == plan_id, Task.active, TaskUnit.role == UnitRole.LEAD)
    )
    wanted = None if unit_ids is None else set(unit_ids)
    if wanted is not None:
        parents = {c for c, ms in members.items() if wanted.intersection(ms)}
        query = query.where(TaskUnit.unit_id.in_(wanted | parents))
    if task_id is not None:
        query = query.where(TaskUnit.task_id == task_id)
    links = [Link(t, u, role) for t, u, role in await session.execute(query)]
    paused = (await session.scalars(select(Unit.id).where(Unit.paused))).all()
    owed = owed_tasks(links, members, paused)
    if wanted is not None:
        owed = {unit: tasks for unit, tasks in owed.items() if unit in wanted}
    return owed
