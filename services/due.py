"""Who is due what, for the scheduler: prompt and reminder recipients, principals with entries to
review, overdue units, milestone checks — all read from the ledger of record. Plain records out;
the scheduler turns them into outbox rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.status import ObligationView, UnitStatus
from ledger.timetable import CalendarRules
from ledger.vocab import ContactRole, UnitRole
from models import (
    Contact,
    Milestone,
    MilestoneResult,
    Obligation,
    Plan,
    Staff,
    Task,
    TaskUnit,
    TelegramUser,
    Unit,
)
from services.obligations import open_ledger
from services.status import PeriodStatus, period_status


@dataclass(frozen=True, order=True)
class Item:
    """What a message is about: a task (`key` = task id) or a milestone (`key` = milestone id),
    with its plan's code. Lists of items keep the ledger's order (plans as imported, then task
    numbers)."""

    plan: str
    number: int
    text: str
    key: int
    due: str | None = None  # the task's own deadline (完成时限): a date, else the document's words
    lead: str | None = None  # a supported task (配合): the lead units, and the input's due day
    support_by: str | None = None


@dataclass(frozen=True)
class Recipient:
    """One bound contact (or principal) of one unit, with the items the message is about."""

    contact_id: int
    user_id: int
    unit_id: int
    unit: str
    language: str | None
    items: list[Item] = field(default_factory=list)


async def _contacts(
    session: AsyncSession, unit_ids: set[int], role: ContactRole
) -> list[tuple[Contact, str]]:
    """Active, reachable people of the given units in `role`."""
    rows = await session.execute(
        select(Contact, Unit.name)
        .join(Unit, Unit.id == Contact.unit_id)
        .where(
            Contact.unit_id.in_(unit_ids),
            Contact.active,
            Contact.role == role,
            Contact.unreachable_at.is_(None),
        )
        .order_by(Unit.name, Contact.id)
    )
    return [(contact, name) for contact, name in rows]


async def languages(session: AsyncSession, user_ids: set[int]) -> dict[int, str | None]:
    rows = await session.execute(
        select(
            TelegramUser.telegram_user_id, TelegramUser.language, TelegramUser.telegram_language
        ).where(TelegramUser.telegram_user_id.in_(user_ids))
    )
    return {
        uid: chosen or ("en" if (code or "").lower().startswith("en") else None)
        for uid, chosen, code in rows
    }


async def _recipients(
    session: AsyncSession, items: dict[int, list[Item]], role: ContactRole = ContactRole.CONTACT
) -> list[Recipient]:
    """One Recipient per active person of each unit in `items`, with that unit's items."""
    contacts = await _contacts(session, {u for u, found in items.items() if found}, role)
    langs = await languages(session, {c.telegram_user_id for c, _ in contacts})
    return [
        Recipient(
            c.id, c.telegram_user_id, c.unit_id, name, langs.get(c.telegram_user_id),
            items[c.unit_id],
        )
        for c, name in contacts
    ]  # fmt: skip


async def _texts(session: AsyncSession, task_ids: set[int]) -> dict[int, str]:
    rows = await session.execute(select(Task.id, Task.text).where(Task.id.in_(task_ids)))
    return {task_id: text for task_id, text in rows}


async def _deadlines(session: AsyncSession, task_ids: set[int]) -> dict[int, str]:
    """The tasks' own deadlines, as shown: an ISO date, or the document's words."""
    rows = await session.execute(
        select(Task.id, Task.due_date, Task.deadline_text).where(Task.id.in_(task_ids))
    )
    found: dict[int, str] = {}
    for task_id, due, text in rows:
        if due is not None or text:
            found[task_id] = due.isoformat() if due is not None else str(text)
    return found


async def ledger_recipients(
    session: AsyncSession,
    period: Period,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    only_missing: bool = False,
) -> list[Recipient]:
    """Contacts to prompt for a period (every owed task), or to remind (only the tasks still
    missing: neither counted nor waiting for 审定)."""
    status = await period_status(session, period=period, now=now, rules=rules, tz=tz)
    owed = {u.unit_id: (u.missing_tasks() if only_missing else u.obligations) for u in status.units}
    return await _recipients(session, await obligation_items(session, owed, tz))


async def obligation_items(
    session: AsyncSession, owed: dict[int, list[ObligationView]], tz: ZoneInfo
) -> dict[int, list[Item]]:
    """unit → its obligations as message items; a supported task names its leads and the day
    the input is due."""
    ids = {o.task_id for found in owed.values() for o in found}
    texts, deadlines = await _texts(session, ids), await _deadlines(session, ids)
    leads = await lead_names(session, ids)

    def item(o: ObligationView) -> Item:
        found = Item(
            o.plan_code, o.task_number, texts[o.task_id], o.task_id, deadlines.get(o.task_id)
        )
        if o.role != UnitRole.SUPPORT:
            return found
        last_day = (o.due_at.astimezone(tz) - timedelta(days=1)).date().isoformat()
        return replace(found, lead="、".join(leads.get(o.task_id, [])), support_by=last_day)

    return {unit: [item(o) for o in found] for unit, found in owed.items()}


async def contacts_of(session: AsyncSession, items: dict[int, list[Item]]) -> list[Recipient]:
    """Every reachable contact (填报人) of the units in `items`, with their unit's items."""
    return await _recipients(session, items)


async def unit_people(session: AsyncSession, items: dict[int, list[Item]]) -> list[Recipient]:
    """Every reachable contact and principal of the units in `items`, with their unit's items."""
    contacts = await _recipients(session, items)
    return contacts + await _recipients(session, items, ContactRole.PRINCIPAL)


async def lead_names(session: AsyncSession, task_ids: set[int]) -> dict[int, list[str]]:
    """task → the names of its lead units, in the document's order."""
    rows = await session.execute(
        select(TaskUnit.task_id, Unit.name)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(TaskUnit.task_id.in_(task_ids), TaskUnit.role == UnitRole.LEAD)
        .order_by(TaskUnit.task_id, TaskUnit.position)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for task_id, name in rows:
        found[task_id].append(name)
    return found


async def review_recipients(status: PeriodStatus, session: AsyncSession) -> list[Recipient]:
    """Principals whose unit has entries waiting for their 审定, with those entries' tasks."""
    waiting = {u.unit_id: u.waiting_entries() for u in status.units}
    texts = await _texts(session, {e.task_id for found in waiting.values() for e in found})
    items = {
        unit: [Item(e.plan_code, e.task_number, texts[e.task_id], e.task_id) for e in found]
        for unit, found in waiting.items()
    }
    return await _recipients(session, items, ContactRole.PRINCIPAL)


def overdue_units(status: PeriodStatus) -> tuple[list[UnitStatus], list[UnitStatus]]:
    """(overdue units that could be prompted, overdue units nobody could be prompted in)."""
    overdue = [u for u in status.units if u.overdue]
    return [u for u in overdue if not u.unbound], [u for u in overdue if u.unbound]


async def staff_recipients(
    session: AsyncSession, admin_ids: list[int]
) -> list[tuple[int, str | None]]:
    """Bureau staff and admins (user id, language) for escalations and notices."""
    ids = set(admin_ids) | set(
        (await session.scalars(select(Staff.telegram_user_id).where(Staff.active))).all()
    )
    langs = await languages(session, ids)
    return [(uid, langs.get(uid)) for uid in sorted(ids)]


async def milestone_owing(
    session: AsyncSession, quarter: Quarter, *, now: datetime, rules: CalendarRules, tz: ZoneInfo
) -> dict[int, list[Item]]:
    """unit → the quarter's milestone targets of the tasks it owes in the quarter's last period
    (the ledger of record), for plans of the quarter's year."""
    last = quarter.periods()[2]
    await open_ledger(session, last, now=now, rules=rules, tz=tz)
    owing: dict[int, set[int]] = defaultdict(set)
    for unit_id, task_id in await session.execute(  # the pairs only, not the whole status
        select(Obligation.unit_id, Obligation.task_id).where(Obligation.period == last.key)
    ):
        owing[unit_id].add(task_id)
    rows = await session.execute(
        select(Milestone.id, Task.id, Task.number, Milestone.target, Plan.code)
        .join(Task, Task.id == Milestone.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.year == quarter.year, Milestone.quarter == quarter.number)
    )
    targets = {task: Item(code, number, target, mid) for mid, task, number, target, code in rows}
    return {
        unit: sorted(targets[t] for t in tasks if t in targets)
        for unit, tasks in owing.items()
        if tasks & targets.keys()
    }


async def milestone_recipients(
    session: AsyncSession,
    quarter: Quarter,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    only_unanswered: bool = False,
) -> list[Recipient]:
    """Lead units' contacts for tasks with a target this quarter; items are the milestones."""
    owing = await milestone_owing(session, quarter, now=now, rules=rules, tz=tz)
    if only_unanswered and owing:
        ids = {item.key for found in owing.values() for item in found}
        answered = {
            (m, u)
            for m, u in await session.execute(
                select(MilestoneResult.milestone_id, MilestoneResult.unit_id).where(
                    MilestoneResult.milestone_id.in_(ids)
                )
            )
        }
        owing = {u: [i for i in found if (i.key, u) not in answered] for u, found in owing.items()}
    return await _recipients(session, owing)


async def lead_units_of_milestone(
    session: AsyncSession, milestone_id: int, *, now: datetime, rules: CalendarRules, tz: ZoneInfo
) -> set[int]:
    """Units that may answer a milestone check: those owing its task at the quarter's end."""
    row = (
        await session.execute(
            select(Milestone.quarter, Plan.year)
            .join(Task, Task.id == Milestone.task_id)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Milestone.id == milestone_id)
        )
    ).first()
    if row is None:
        return set()
    owing = await milestone_owing(session, Quarter(row.year, row.quarter), now=now, rules=rules,
                                  tz=tz)  # fmt: skip
    return {unit for unit, items in owing.items() if any(i.key == milestone_id for i in items)}
