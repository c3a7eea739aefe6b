"""A small realistic registry for end-to-end tests (tasks of the 2023 work points)."""

from __future__ import annotations

import asyncio

from ledger.vocab import UnitKind
from models import UnitMember
from models.db import make_engine, make_session_factory, transaction
from tests.factories import make_plan, make_task, make_unit

TRANSPORT, DEVELOPMENT, WATER = "市交通运输局", "市发展改革委", "市水务局"


async def _seed(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as s:
        transport = await make_unit(s, TRANSPORT)
        development = await make_unit(s, DEVELOPMENT)
        water = await make_unit(s, WATER)
        counties = await make_unit(s, "各县(区)", UnitKind.COLLECTIVE)
        yanjiang = await make_unit(s, "雁江区", UnitKind.COUNTY)
        s.add(UnitMember(collective_id=counties.id, member_id=yanjiang.id))
        plan = await make_plan(s, 2023, "成资同城化发展2023年工作要点")
        await make_task(
            s,
            plan,
            5,
            leads=[transport],
            supports=[counties],
            text="协同畅通公路网体系。推动成渝高速扩容项目控制性工程开工。",
        )
        await make_task(
            s,
            plan,
            6,
            leads=[development, transport],
            supports=[counties],
            text="优化提升公共交通服务。",
        )
        await make_task(s, plan, 8, leads=[water, development], text="强力推进水利设施建设。")
    await engine.dispose()


def seed(url: str) -> None:
    asyncio.run(_seed(url))
