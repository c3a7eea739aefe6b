"""Simulate months of reporting through the real services: contacts bound to every owing unit,
reports submitted on time, late or not at all, 审定 by principals, quarter milestones answered.

Deterministic (a hash of unit, task and period decides), so golden assertions stay stable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.periods import Period, Quarter
from ledger.timetable import DEFAULT_RULES, AsOf, ledger_schedule, milestone_schedule
from ledger.vocab import ContactRole, EntryStatus, MilestoneOutcome
from models import Contact, Milestone, Plan, Task, Unit
from models.db import transaction
from services.due import milestone_owing
from services.identity import identify
from services.milestones import record_answer
from services.obligations import refresh_contacts
from services.reporting import Draft, Source, submit
from services.reviewing import review
from services.status import period_status

TZ = ZoneInfo("Asia/Shanghai")
CONTACT_BASE, PRINCIPAL_BASE = 710_000_000, 720_000_000


def roll(*parts: object) -> int:
    """A stable number 0..99 for the given key."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


@dataclass
class World:
    contacts: dict[str, int] = field(default_factory=dict)  # unit name → contact user id
    principals: dict[str, int] = field(default_factory=dict)
    submitted: int = 0
    missing: int = 0
    late: int = 0


def _as_of(period: Period) -> AsOf:
    """A moment inside the period's reporting month (its prompt), in the bureau's calendar."""
    return AsOf(now=ledger_schedule(period, DEFAULT_RULES, TZ).prompt_at, rules=DEFAULT_RULES,
                tz=TZ)  # fmt: skip


async def _owed(session: AsyncSession, period: Period) -> dict[int, set[int]]:
    """unit → task ids it owes for the period, from the ledger of record."""
    status = await period_status(session, period=period, **_as_of(period))
    return {u.unit_id: {o.task_id for o in u.obligations} for u in status.units if u.owed}


async def bind_everyone(session: AsyncSession, period: Period, world: World) -> None:
    """A contact for every owing unit; a principal (so 审定 is needed) for every other one."""
    owed = await _owed(session, period)
    units = (await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(owed)))).all()
    for index, (unit_id, name) in enumerate(sorted(units, key=lambda u: u[1])):
        contact = CONTACT_BASE + index
        session.add(Contact(telegram_user_id=contact, unit_id=unit_id, role=ContactRole.CONTACT,
                            display_name=f"{name}填报人"))  # fmt: skip
        world.contacts[name] = contact
        if index % 2 == 0:
            principal = PRINCIPAL_BASE + index
            role = ContactRole.PRINCIPAL
            session.add(Contact(telegram_user_id=principal, unit_id=unit_id, role=role,
                                display_name=f"{name}负责人"))  # fmt: skip
            world.principals[name] = principal
    await session.flush()
    await refresh_contacts(session, owed)


def _status(r: int) -> EntryStatus:
    if r < 12:
        return EntryStatus.BEHIND
    if r < 18:
        return EntryStatus.NOT_STARTED
    return EntryStatus.DONE if r > 88 else EntryStatus.ON_TRACK


async def report_period(session: AsyncSession, period: Period, world: World) -> None:
    owed = await _owed(session, period)
    numbers = {tid: num for tid, num in await session.execute(select(Task.id, Task.number))}
    names = {uid: name for uid, name in await session.execute(select(Unit.id, Unit.name))}
    due = ledger_schedule(period, DEFAULT_RULES, TZ).due_at
    for unit_id, task_ids in sorted(owed.items()):
        name = names[unit_id]
        identity = await identify(session, world.contacts[name])
        for task_id in sorted(task_ids):
            number = numbers[task_id]
            r = roll(name, number, period.key)
            if r < 8:
                world.missing += 1
                continue
            late = r >= 90
            at = due + (timedelta(days=2) if late else -timedelta(days=3, hours=r % 24))
            status = _status(roll("status", name, number, period.key))
            draft = Draft(
                number,
                status,
                f"{period.month}月，{name}推进任务{number}：完成阶段工作{r}%。",
                problems="征地拆迁和资金保障进度偏慢。" if status == EntryStatus.BEHIND else None,
                next_steps="加强统筹调度，按时序推进。",
            )
            source = Source(world.contacts[name], f"{name}填报人", world.contacts[name], None, at)
            recorded = await submit(session, identity=identity, draft=draft, period=period,
                                    source=source, rules=DEFAULT_RULES, tz=TZ)  # fmt: skip
            world.submitted += 1
            world.late += late
            if recorded.principals and r % 5 != 0:
                principal = await identify(session, world.principals[name])
                await review(session, identity=principal, entry_id=recorded.entry.id,
                             approve=r % 7 != 0, note=None if r % 7 else "请补充数据",
                             now=at + timedelta(hours=4), chat_id=None)  # fmt: skip


async def answer_milestones(session: AsyncSession, quarter: Quarter, world: World) -> None:
    moment = milestone_schedule(quarter, DEFAULT_RULES, TZ).prompt_at  # answered when asked
    as_of = AsOf(now=moment, rules=DEFAULT_RULES, tz=TZ)
    owing = await milestone_owing(session, quarter, **as_of)
    names = {uid: name for uid, name in await session.execute(select(Unit.id, Unit.name))}
    rows = await session.execute(
        select(Milestone.id, Task.number)
        .join(Task, Task.id == Milestone.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.year == quarter.year, Milestone.quarter == quarter.number)
    )
    outcomes = [MilestoneOutcome.MET, MilestoneOutcome.PARTLY, MilestoneOutcome.NOT_MET]
    for milestone_id, number in rows:
        owing_units = [u for u, items in owing.items() if any(i.key == milestone_id for i in items)]
        for unit_id in sorted(owing_units):
            name = names[unit_id]
            r = roll("milestone", name, number, quarter.key)
            if r < 10:
                continue  # not answered
            outcome = outcomes[0] if r < 70 else outcomes[1] if r < 88 else outcomes[2]
            identity = await identify(session, world.contacts[name])
            await record_answer(session, identity=identity, milestone_id=milestone_id,
                                outcome=outcome, explanation=f"任务{number}节点{outcome.value}",
                                chat_id=world.contacts[name], **as_of)  # fmt: skip


async def simulate(
    factory: async_sessionmaker[AsyncSession], year: int, quarters: tuple[int, ...] = (1, 2)
) -> World:
    """Bind contacts, then report every period of `quarters` and answer their milestones."""
    world = World()
    async with transaction(factory) as session:
        first = Quarter(year, quarters[0]).periods()[0]
        await bind_everyone(session, first, world)
    for number in quarters:
        quarter = Quarter(year, number)
        for period in quarter.periods():
            async with transaction(factory) as session:
                await report_period(session, period, world)
        async with transaction(factory) as session:
            await answer_milestones(session, quarter, world)
    return world
