"""Who is due what, for the scheduler: prompt and reminder recipients, overdue units,
milestone checks. Plain records out; the scheduler turns them into outbox rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.vocab import ContactRole
from models import Contact, Milestone, MilestoneResult, Staff, Task, TelegramUser, Unit
from services.obligations import load_owed
from services.periods import plan_for
from services.status import period_status


@dataclass(frozen=True, order=True)
class Item:
    """A task the message is about; `key` is the task number, or the milestone id for checks."""

    number: int
    text: str
    key: int


@dataclass(frozen=True)
class Recipient:
    """One bound contact of one unit, with the items the message is about."""

    contact_id: int
    user_id: int
    unit_id: int
    unit: str
    language: str | None
    items: list[Item] = field(default_factory=list)


async def _contacts(session: AsyncSession, unit_ids: set[int]) -> list[tuple[Contact, str]]:
    """Active, reachable 填报人 of the given units that are not paused."""
    rows = await session.execute(
        select(Contact, Unit.name)
        .join(Unit, Unit.id == Contact.unit_id)
        .where(
            Contact.unit_id.in_(unit_ids),
            Contact.active,
            Contact.role == ContactRole.CONTACT,
            Contact.unreachable_at.is_(None),  # blocked the bot: left out until they write
            ~Unit.paused,
        )
        .order_by(Unit.name, Contact.id)
    )
    return [(contact, name) for contact, name in rows]


async def _languages(session: AsyncSession, user_ids: set[int]) -> dict[int, str | None]:
    rows = await session.execute(
        select(
            TelegramUser.telegram_user_id, TelegramUser.language, TelegramUser.telegram_language
        ).where(TelegramUser.telegram_user_id.in_(user_ids))
    )
    return {
        uid: chosen or ("en" if (code or "").lower().startswith("en") else None)
        for uid, chosen, code in rows
    }


async def _recipients(session: AsyncSession, items: dict[int, list[Item]]) -> list[Recipient]:
    """One Recipient per active contact of each unit in `items`, with that unit's items."""
    contacts = await _contacts(session, set(items))
    languages = await _languages(session, {c.telegram_user_id for c, _ in contacts})
    return [
        Recipient(
            c.id,
            c.telegram_user_id,
            c.unit_id,
            name,
            languages.get(c.telegram_user_id),
            items[c.unit_id],
        )
        for c, name in contacts
    ]


async def ledger_recipients(
    session: AsyncSession, period: Period, *, only_missing: bool = False
) -> list[Recipient]:
    """Contacts to prompt for a period (or remind: only units whose ledger is incomplete)."""
    plan = await plan_for(session, period)
    if plan is None:
        return []
    owed = await load_owed(session, plan.id)
    if only_missing:
        status = await period_status(session, period=period)
        owed = {u.unit_id: owed.get(u.unit_id, set()) for u in status.units if not u.complete}
        owed = {unit: tasks for unit, tasks in owed.items() if tasks}
    task_ids = set().union(*owed.values()) if owed else set()
    tasks = {
        t.id: Item(t.number, t.text, t.number)
        for t in (await session.scalars(select(Task).where(Task.id.in_(task_ids)))).all()
    }
    return await _recipients(
        session, {unit: sorted(tasks[t] for t in task_ids) for unit, task_ids in owed.items()}
    )


async def staff_recipients(
    session: AsyncSession, admin_ids: list[int]
) -> list[tuple[int, str | None]]:
    """Bureau staff and admins (user id, language) for escalations and notices."""
    ids = set(admin_ids) | set(
        (await session.scalars(select(Staff.telegram_user_id).where(Staff.active))).all()
    )
    languages = await _languages(session, ids)
    return [(uid, languages.get(uid)) for uid in sorted(ids)]


async def milestone_recipients(
    session: AsyncSession, quarter: Quarter, *, only_unanswered: bool = False
) -> list[Recipient]:
    """Lead units' contacts for tasks with a target this quarter; items are (milestone id, text)."""
    plan = await plan_for(session, quarter.periods()[0])
    if plan is None:
        return []
    rows = await session.execute(
        select(Milestone.id, Task.id, Task.number, Milestone.target)
        .join(Task, Task.id == Milestone.task_id)
        .where(Task.plan_id == plan.id, Task.active, Milestone.quarter == quarter.number)
    )
    milestones = {task_id: (mid, number, target) for mid, task_id, number, target in rows}
    owed = await load_owed(session, plan.id)
    answered: set[tuple[int, int]] = set()
    if only_unanswered:
        answered = {
            (m, u)
            for m, u in await session.execute(
                select(MilestoneResult.milestone_id, MilestoneResult.unit_id)
            )
        }
    per_unit: dict[int, list[Item]] = defaultdict(list)
    for unit_id, task_ids in owed.items():
        for task_id in task_ids & set(milestones):
            mid, number, target = milestones[task_id]
            if (mid, unit_id) not in answered:
                per_unit[unit_id].append(Item(number, target, mid))
    return await _recipients(session, {unit: sorted(items) for unit, items in per_unit.items()})


async def lead_units_of_milestone(session: AsyncSession, milestone_id: int) -> set[int]:
    """Units that may answer a milestone check: the task's leads (and collective members)."""
    task_id = await session.scalar(select(Milestone.task_id).where(Milestone.id == milestone_id))
    if task_id is None:
        return set()
    plan_id = await session.scalar(select(Task.plan_id).where(Task.id == task_id))
    assert plan_id is not None
    owed = await load_owed(session, plan_id)
    return {unit for unit, tasks in owed.items() if task_id in tasks}
