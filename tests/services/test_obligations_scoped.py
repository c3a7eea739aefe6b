"""load_owed narrowed to some units or one task gives exactly the whole plan's answer, filtered."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import UnitKind
from models import UnitMember
from services.obligations import load_owed
from tests.factories import make_plan, make_task, make_unit


async def test_scoped_loads_match_the_whole_plan(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    counties = await make_unit(session, "各县(区)", UnitKind.COLLECTIVE)
    yanjiang = await make_unit(session, "雁江区", UnitKind.COUNTY)
    anyue = await make_unit(session, "安岳县", UnitKind.COUNTY)
    lonely = await make_unit(session, "各园区", UnitKind.COLLECTIVE)  # no members: keeps it
    paused = await make_unit(session, "市统计局")
    paused.paused = True
    for member in (yanjiang, anyue):
        session.add(UnitMember(collective_id=counties.id, member_id=member.id))
    plan = await make_plan(session, 2023)
    other = await make_plan(session, 2022)
    await make_task(session, plan, 1, leads=[transport], supports=[counties])
    await make_task(session, plan, 2, leads=[counties, water])
    await make_task(session, plan, 3, leads=[yanjiang, lonely])
    await make_task(session, plan, 4, leads=[paused, anyue])
    inactive = await make_task(session, plan, 5, leads=[transport])
    inactive.active = False
    await make_task(session, other, 1, leads=[water, anyue])
    await session.flush()

    whole = await load_owed(session, plan.id)
    assert whole[anyue.id] and whole[yanjiang.id] and whole[lonely.id]
    assert counties.id not in whole and paused.id not in whole
    everyone = [transport, water, counties, yanjiang, anyue, lonely, paused]
    for unit in everyone:
        expected = {unit.id: whole[unit.id]} if unit.id in whole else {}
        assert await load_owed(session, plan.id, [unit.id]) == expected, unit.name
    pair = [yanjiang.id, water.id]
    assert await load_owed(session, plan.id, pair) == {u: whole[u] for u in pair}

    task_ids = {t for tasks in whole.values() for t in tasks} | {inactive.id}
    for task_id in task_ids:
        expected = {u: {task_id} for u, tasks in whole.items() if task_id in tasks}
        assert await load_owed(session, plan.id, task_id=task_id) == expected
    both = await load_owed(session, plan.id, [anyue.id], task_id=inactive.id)
    assert both == {}
