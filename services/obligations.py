"""The ledger of record: write a period's obligations when it opens, keep them in step with the
registry while it is open, freeze them when it closes (the rule itself is ledger.obligations).

Every view — prompts, reminders, escalations, /status, the digest and the documents — reads
these rows, so what a unit owed for a period never changes after the fact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import COUNTED
from ledger.obligations import Link, Owed, Pause, due_by_role, owed
from ledger.periods import Period
from ledger.timetable import BUREAU_TZ, DEFAULT_RULES, AsOf, CalendarRules, ledger_schedule, to_utc
from ledger.vocab import UnitRole
from models import (
    LedgerPeriod,
    Obligation,
    Plan,
    ProgressEntry,
    Task,
    TaskUnit,
    UnitMember,
    UnitPause,
)
from models.base import utcnow
from services.audit import Actor, record
from services.closed_tasks import closed_tasks
from services.unit_snapshots import snapshots

Key = tuple[int, int, UnitRole]  # task, unit, role
ROWS_PER_INSERT = 1_000  # 12 columns: 12,000 parameters, below every SQLite build's limit


def now_as_of() -> AsOf:
    """The real current time in the default calendar, for callers without a clock of their own
    (library use and tests); the bot and the CLI pass their settings' calendar."""
    return AsOf(now=utcnow(), rules=DEFAULT_RULES, tz=BUREAU_TZ)


def covering(period: Period) -> Select[Any]:
    """Plans whose window covers `period` and that are not closed."""
    return select(Plan).where(
        Plan.first_period <= period.key, Plan.last_period >= period.key, Plan.closed_at.is_(None)
    )


async def covering_plans(session: AsyncSession, period: Period) -> list[Plan]:
    plans = await session.scalars(covering(period).order_by(Plan.id))
    return list(plans.all())


def _insert_ignoring(session: AsyncSession, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


async def open_ledger(
    session: AsyncSession, period: Period, *, now: datetime, rules: CalendarRules, tz: ZoneInfo
) -> LedgerPeriod:
    """The period's ledger, its obligations written on first need (the prompt, or any view).

    A period whose closing time has already passed is written and closed at once: its
    figures are frozen from the start."""
    row = await session.get(LedgerPeriod, period.key)
    if row is not None and row.opened_at is not None:
        return row
    schedule = ledger_schedule(period, rules, tz)
    if row is None:
        await session.execute(
            _insert_ignoring(session, LedgerPeriod)
            .values(key=period.key, due_at=schedule.due_at)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = await session.get_one(LedgerPeriod, period.key, populate_existing=True)
        if row.opened_at is not None:  # another writer opened it meanwhile
            return row
    opens_on = schedule.prompt_at.astimezone(tz).date()
    plans = await covering_plans(session, period)
    wanted = await _desired(session, period, [p.id for p in plans], opens_on)
    rows = await _rows(session, period, wanted, due_by_role(period, rules, tz), now)
    for start in range(0, len(rows), ROWS_PER_INSERT):  # under every driver's parameter limit
        await session.execute(
            _insert_ignoring(session, Obligation)
            .values(rows[start : start + ROWS_PER_INSERT])
            .on_conflict_do_nothing(index_elements=["period", "task_id", "unit_id", "role"])
        )
    row.opened_at = now
    if to_utc(now) >= to_utc(schedule.close_at) and row.closed_at is None:
        row.closed_at = schedule.close_at
    await session.flush()
    return row


async def _desired(
    session: AsyncSession, period: Period, plan_ids: list[int], opens_on: Any
) -> dict[Key, tuple[Owed, int]]:
    """(task, unit, role) → (obligation, plan id) by the registry now (ledger.obligations)."""
    if not plan_ids:
        return {}
    support = Plan.support_reports & (TaskUnit.role == UnitRole.SUPPORT)
    query = (
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role, Task.plan_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Task.plan_id.in_(plan_ids), Task.active, (TaskUnit.role == UnitRole.LEAD) | support)
    )
    links, plan_of = [], {}
    for task_id, unit_id, role, plan_id in await session.execute(query):
        links.append(Link(task_id, unit_id, role))
        plan_of[task_id] = plan_id
    members: dict[int, list[int]] = defaultdict(list)
    for collective, member in await session.execute(
        select(UnitMember.collective_id, UnitMember.member_id)
    ):
        members[collective].append(member)
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for unit_id, starts, ends in await session.execute(
        select(UnitPause.unit_id, UnitPause.starts_on, UnitPause.ends_on)
    ):
        pauses[unit_id].append(Pause(starts, ends))
    closed = await closed_tasks(session)
    found = owed(links, members, pauses, opens_on=opens_on, support=True, closed=closed)
    return {(o.task_id, o.unit_id, o.role): (o, plan_of[o.task_id]) for o in found}


async def _counted(
    session: AsyncSession, period: Period, unit_ids: Iterable[int]
) -> dict[tuple[int, int], datetime]:
    """(task, unit) → submission time of the first counted version, from the history."""
    wanted = list(set(unit_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(ProgressEntry.task_id, ProgressEntry.unit_id, func.min(ProgressEntry.submitted_at))
        .where(
            ProgressEntry.period == period.key,
            ProgressEntry.unit_id.in_(wanted),
            ProgressEntry.state.in_(list(COUNTED)),
        )
        .group_by(ProgressEntry.task_id, ProgressEntry.unit_id)
    )
    return {(task, unit): at for task, unit, at in rows if at is not None}


async def _rows(
    session: AsyncSession,
    period: Period,
    wanted: dict[Key, tuple[Owed, int]],
    due_at: dict[UnitRole, datetime],
    now: datetime,
) -> list[dict[str, Any]]:
    units = {key[1] for key in wanted}
    snaps = await snapshots(session, units)
    counted = await _counted(session, period, units)
    return [
        {
            "period": period.key,
            "plan_id": plan_id,
            "task_id": item.task_id,
            "unit_id": item.unit_id,
            "role": item.role,
            "via_unit_id": item.via_unit_id,
            "due_at": due_at[item.role],
            "contacts": snaps[item.unit_id][0],
            "has_principal": snaps[item.unit_id][1],
            "counted_at": counted.get((item.task_id, item.unit_id)),
            "created_at": now,
        }
        for item, plan_id in wanted.values()
    ]


async def open_periods(session: AsyncSession) -> list[Period]:
    """Periods whose obligations are written and not frozen."""
    keys = await session.scalars(
        select(LedgerPeriod.key)
        .where(LedgerPeriod.opened_at.is_not(None), LedgerPeriod.closed_at.is_(None))
        .order_by(LedgerPeriod.key)
    )
    return [Period.parse(k) for k in keys]


async def refresh(
    session: AsyncSession,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> dict[str, dict[str, int]]:
    """Bring every open period's obligations in step with the registry after a change (a
    re-import, members, a pause, an alias merge, a plan's support reports); closed periods and
    closed plans stay as they are. Each period that changed gets an audit row naming `reason`."""
    changes: dict[str, dict[str, int]] = {}
    for period in await open_periods(session):
        schedule = ledger_schedule(period, rules, tz)
        plans = await covering_plans(session, period)
        wanted = await _desired(
            session, period, [p.id for p in plans], schedule.prompt_at.astimezone(tz).date()
        )
        frozen = select(Plan.id).where(Plan.closed_at.is_not(None))
        stored = {
            (r.task_id, r.unit_id, r.role): r
            for r in await session.execute(
                select(Obligation.id, Obligation.task_id, Obligation.unit_id, Obligation.role,
                       Obligation.via_unit_id)
                .where(Obligation.period == period.key, Obligation.plan_id.not_in(frozen))
            )
        }  # fmt: skip
        gone = [stored[k].id for k in stored.keys() - wanted.keys()]
        fresh = {k: wanted[k] for k in wanted.keys() - stored.keys()}
        moved = [
            {"id": stored[k].id, "via_unit_id": wanted[k][0].via_unit_id}
            for k in stored.keys() & wanted.keys()
            if stored[k].via_unit_id != wanted[k][0].via_unit_id
        ]
        if gone:
            await session.execute(delete(Obligation).where(Obligation.id.in_(gone)))
        if fresh:
            await session.execute(
                insert(Obligation),
                await _rows(session, period, fresh, due_by_role(period, rules, tz), now),
            )
        if moved:
            await session.execute(update(Obligation), moved)
        if gone or fresh:
            changes[period.key] = {"added": len(fresh), "removed": len(gone)}
            record(session, actor, "obligations.refresh", period.key, reason=reason,
                   added=len(fresh), removed=len(gone))  # fmt: skip
    return changes


async def refresh_contacts(session: AsyncSession, unit_ids: Iterable[int]) -> None:
    """After a binding changes: who the units' open-period obligations could ask."""
    periods = [p.key for p in await open_periods(session)]
    if not periods:
        return
    for unit_id, (contacts, principal) in (await snapshots(session, unit_ids)).items():
        await session.execute(
            update(Obligation)
            .where(Obligation.unit_id == unit_id, Obligation.period.in_(periods))
            .values(contacts=contacts, has_principal=principal)
        )


async def mark_counted(
    session: AsyncSession, *, period: str, task_id: int, unit_id: int, submitted_at: datetime
) -> None:
    """An entry now counts: the obligation keeps the timing of the *first* counted submission."""
    await session.execute(
        update(Obligation)
        .where(
            Obligation.period == period,
            Obligation.task_id == task_id,
            Obligation.unit_id == unit_id,
            Obligation.counted_at.is_(None),
        )
        .values(counted_at=submitted_at)
    )


async def set_closed(
    session: AsyncSession, period: Period, *, closed: bool, now: datetime, actor: Actor,
    rules: CalendarRules, tz: ZoneInfo,
) -> bool:  # fmt: skip
    """Close (freeze) or reopen a period; False when it already was. Audited."""
    row = await open_ledger(session, period, now=now, rules=rules, tz=tz)
    if (row.closed_at is not None) == closed:
        return False
    row.closed_at = now if closed else None
    record(session, actor, "period.close" if closed else "period.reopen", period.key)
    return True
