"""A small realistic registry for end-to-end tests (tasks of the 2023 work points)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import insert, select

from ledger.vocab import UnitKind
from models import JobRun, UnitMember
from models.db import make_engine, make_session_factory, transaction
from scheduler.clockwork import HEARTBEAT
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


async def _seed_fanout(url: str, units: int, contacts_per_unit: int, first_user: int) -> list[int]:
    """`units` units each leading one task, each with bound contacts; returns their user ids."""
    from models import Contact

    engine = make_engine(url)
    users: list[int] = []
    async with transaction(make_session_factory(engine)) as s:
        plan = await make_plan(s, 2023, "压力测试计划")
        for n in range(1, units + 1):
            unit = await make_unit(s, f"测试单位{n:04d}")
            await make_task(s, plan, n, leads=[unit], text=f"任务内容{n}")
            for _ in range(contacts_per_unit):
                user = first_user + len(users)
                s.add(Contact(telegram_user_id=user, unit_id=unit.id, role="contact"))
                users.append(user)
    await engine.dispose()
    return users


def seed_fanout(
    url: str, units: int, contacts_per_unit: int = 1, first_user: int = 500_000_001
) -> list[int]:
    return asyncio.run(_seed_fanout(url, units, contacts_per_unit, first_user))


async def _bind_contacts(url: str, contacts: dict[str, int]) -> None:
    from models import Contact, Unit

    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        units = {u.name: u.id for u in (await session.scalars(select(Unit))).all()}
        for unit, user in contacts.items():
            session.add(Contact(telegram_user_id=user, unit_id=units[unit], role="contact"))
    await engine.dispose()


def bind_contacts(url: str, contacts: dict[str, int]) -> None:
    """Bind a 填报人 to each unit (by name) directly, before the bot is up."""
    asyncio.run(_bind_contacts(url, contacts))


async def watching_since(url: str, moment: datetime) -> None:
    """The bot's fake clock starts at `moment` when its process starts, but its first catch-up
    comes 1–10 s later (imports, migrations, getMe; longer with the suite running in parallel),
    and a fresh database watches only from that catch-up: an event a test put a second after
    `moment` would be skipped. A database without a heartbeat gets the one of a bot watching
    since `moment`, as if it had started at once; a later start keeps the real heartbeat."""
    if moment.tzinfo is None:
        return
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            beat = await connection.scalar(
                select(JobRun.kind).where(JobRun.kind == HEARTBEAT[0], JobRun.key == HEARTBEAT[1])
            )
            if beat is None:
                await connection.execute(
                    insert(JobRun).values(kind=HEARTBEAT[0], key=HEARTBEAT[1],
                                          scheduled_for=moment, fired_at=moment,
                                          fired_by="scheduler")
                )  # fmt: skip
    finally:
        await engine.dispose()
