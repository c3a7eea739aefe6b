"""The staff /status of every unit as counts, counted by the database, and kept per process
until the database says something it reads changed (issue #17).

A summary is kept with the revision it was counted under (services.status_revision) and the
window of `now` in which its due counts hold (between the last due instant passed and the next
one), and served again while both hold: after any write, in this process or another, the next
call counts again. A transaction that wrote and has not committed yet never uses the cache.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, case, func, select, tuple_
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.status import UNORDERED, Counts, UnitStatus, in_status_order
from ledger.timetable import CalendarRules, to_utc
from ledger.vocab import EntryState, UnitRole
from models import Obligation, ProgressEntry, Task, TaskUnit, Unit
from services.obligations import open_ledger
from services.status import ROLE_ORDER, PeriodStatus, listed_link, period_plans
from services.status_revision import Revision, keep, marked_since, revision, store

PLACE = 1_000_000  # a unit's first obligation in one integer: (plan, number, role, position)


@dataclass(frozen=True)
class Kept:
    revision: Revision
    after: datetime | None  # the last due instant at or before the `now` it was counted at
    before: datetime | None  # the next due instant after it
    status: PeriodStatus
    first: dict[int, tuple[int, ...]]  # each listed unit's place in the document's order

    def covers(self, now: datetime) -> bool:
        moment = to_utc(now)
        return (self.after is None or self.after <= moment) and (
            self.before is None or moment < self.before
        )


_kept = store()  # (database, period) → Kept
_places = store()  # (database, period) → (places, {unit: its first place in the document})


async def period_summary(
    session: AsyncSession,
    *,
    period: Period,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> PeriodStatus:
    """`period_status` of every unit as counts only, counted by the database: what the staff
    /status and the digest show, in milliseconds at 2,000 units (issue #17). The counting follows
    ledger.entries (counted, late at or after the due instant, waiting for 审定, overdue), and a
    test holds it to `ledger.status.aggregate` on the same rows. Its units have no lists.

    Kept per process: served again while nothing it reads changed; after a write, only the
    units the write touched (services.status_revision.marked_since) are counted again."""
    ledger = await open_ledger(session, period, now=now, rules=rules, tz=tz)
    current = await revision(session)
    kept: Kept | None = _kept.get((current.database, period.key))
    fresh = None
    if current.value is not None and kept is not None and kept.covers(now):
        if kept.revision.value == current.value:
            return replace(kept.status, ledger=ledger)
        marked = await marked_since(session, current, kept.revision, period)
        if marked is not None:
            fresh = await _recount(session, period, now, current, kept, marked)
    if fresh is None:
        fresh = await _count(session, period, now, current)
    if current.value is not None:
        keep(_kept, (current.database, period.key), fresh)
    return replace(fresh.status, ledger=ledger)


@dataclass
class _Counted:
    units: list[UnitStatus]
    places: dict[int, int]  # unit → its encoded first place (when asked for)
    after: datetime | None
    before: datetime | None


async def _counted(
    session: AsyncSession, period: Period, now: datetime, *, place: bool, only: set[int] | None
) -> _Counted:
    """Counts of the units owing something (`only` those, if given), from the obligations'
    covering index alone unless `place` joins tasks and links for the document's order."""
    o, e = Obligation, ProgressEntry
    role_index = case(*((o.role == r, i) for i, r in enumerate(ROLE_ORDER)), else_=3)
    task_place = (sql_cast(o.plan_id, BigInteger) * PLACE + Task.number) * 4 + role_index
    counted = (
        select(
            o.unit_id, func.count().label("owed"), func.count(o.counted_at).label("counted"),
            func.sum(case((o.counted_at >= o.due_at, 1), else_=0)).label("late"),
            func.sum(case((o.counted_at.is_(None) & (o.due_at <= now), 1), else_=0)).label("due"),
            func.sum(case((o.role == UnitRole.SUPPORT, 1), else_=0)).label("support"),
            func.sum(case(((o.role == UnitRole.SUPPORT) & o.counted_at.is_not(None), 1),
                          else_=0)).label("support_counted"),
            func.max(o.contacts).label("contacts"),
            func.max(case((o.has_principal, 1), else_=0)).label("principal"),
            func.max(case((o.due_at <= now, o.due_at))).label("after"),
            func.min(case((o.due_at > now, o.due_at))).label("before"),
        )
        .where(o.period == period.key)
        .group_by(o.unit_id)
    )  # fmt: skip
    waiting_query = (
        select(o.unit_id, func.count(), func.sum(case((o.due_at <= now, 1), else_=0)))
        .where(o.period == period.key, o.counted_at.is_(None))
        .group_by(o.unit_id)
    )
    submitted = select(e.task_id, e.unit_id).where(  # few rows, found by index
        e.period == period.key, e.state == EntryState.SUBMITTED, e.is_current
    )
    if only is not None:
        counted = counted.where(o.unit_id.in_(only))
        waiting_query = waiting_query.where(o.unit_id.in_(only))
        submitted = submitted.where(e.unit_id.in_(only))
    if place:
        counted = (
            counted.add_columns(
                func.min(task_place * 1000 + func.coalesce(TaskUnit.position, 0)).label("place")
            )
            .join(Task, Task.id == o.task_id)
            .outerjoin(TaskUnit, listed_link())
        )
    owed = counted.subquery()
    waiting_query = waiting_query.where(tuple_(o.task_id, o.unit_id).in_(submitted))
    waiting = {  # owed, not counted, its current entry waiting for 审定
        unit: (int(count), int(past_due or 0))
        for unit, count, past_due in await session.execute(waiting_query)
    }
    found = _Counted([], {}, None, None)
    afters, befores = [], []
    for row in await session.execute(select(owed, Unit.name).join(Unit, Unit.id == owed.c.unit_id)):
        waits, waits_due = waiting.get(row.unit_id, (0, 0))
        counts = Counts(
            row.owed, row.counted, waits, int(row.late), int(row.support), int(row.support_counted)
        )
        found.units.append(
            UnitStatus(row.unit_id, row.name, contacts=int(row.contacts),
                       principal=bool(row.principal), overdue=int(row.due) - waits_due,
                       counts=counts)
        )  # fmt: skip
        if place:
            found.places[row.unit_id] = int(row.place)
        afters += [row.after] if row.after is not None else []
        befores += [row.before] if row.before is not None else []
    found.after, found.before = max(afters, default=None), min(befores, default=None)
    return found


def _known_places(current: Revision, period: Period) -> dict[int, tuple[int, ...]] | None:
    known = _places.get((current.database, period.key))
    if current.places is not None and known is not None and known[0] == current.places:
        return cast(dict[int, tuple[int, ...]], known[1])
    return None


async def _count(session: AsyncSession, period: Period, now: datetime, current: Revision) -> Kept:
    """The summary of every unit, and the due instants around `now` between which its counts
    hold. Each unit's place in the document's order is kept under `places` (reports and reviews
    leave it): the counts alone then read the obligations' covering index, with no join."""
    places = _known_places(current, period)
    found = await _counted(session, period, now, place=places is None, only=None)
    first: dict[int, tuple[int, ...]] = {}
    for unit in found.units:
        if places is None:
            first[unit.unit_id] = _order(found.places[unit.unit_id])
        elif unit.unit_id in places:
            first[unit.unit_id] = places[unit.unit_id]
        else:  # cannot happen while `places` holds; count again rather than guess
            return await _count(session, period, now, replace(current, places=None))
    if places is None and current.places is not None:
        keep(_places, (current.database, period.key), (current.places, dict(first)))
    units = found.units
    for unit_id, name in await _reported_only(session, period, set(first)):
        units.append(UnitStatus(unit_id, name, counts=Counts(0, 0, 0, 0)))
        first[unit_id] = UNORDERED
    ordered = in_status_order(units, first)
    status = PeriodStatus(period, await period_plans(session, period), ordered)
    return Kept(current, found.after, found.before, status, first)


async def _recount(
    session: AsyncSession,
    period: Period,
    now: datetime,
    current: Revision,
    kept: Kept,
    marked: set[int],
) -> Kept | None:
    """`kept` with the `marked` units counted again (the order, plans and every other unit
    are unchanged: a write that moves them moves `places` too); None if a marked unit owes
    something it has no known place for."""
    places = _known_places(current, period)
    if places is None:
        return None
    found = await _counted(session, period, now, place=False, only=marked)
    first = dict(kept.first)
    for unit_id in marked:
        first.pop(unit_id, None)
    fresh = []
    for unit in found.units:
        if unit.unit_id not in places:
            return None
        fresh.append(unit)
        first[unit.unit_id] = places[unit.unit_id]
    owing_none = marked - {unit.unit_id for unit in fresh}  # usually none: a report's unit owes
    for unit_id, name in await _reported_only(session, period, set(first), among=owing_none):
        fresh.append(UnitStatus(unit_id, name, counts=Counts(0, 0, 0, 0)))
        first[unit_id] = UNORDERED
    # the kept list is in `in_status_order`: the others keep their places, the marked ones
    # go where that order puts them (sorting all 2,000 again was most of the time)
    units = [u for u in kept.status.units if u.unit_id not in marked]
    for unit in fresh:
        insort(units, unit, key=lambda s: (s.complete, first[s.unit_id], s.unit))
    after = max((t for t in (kept.after, found.after) if t is not None), default=None)
    before = min((t for t in (kept.before, found.before) if t is not None), default=None)
    return Kept(current, after, before, replace(kept.status, units=units), first)


async def _reported_only(
    session: AsyncSession, period: Period, owing: set[int], among: set[int] | None = None
) -> list[tuple[int, str]]:
    """Units with a current report that owe nothing (a report is never hidden): the reporting
    units (`among` these, if given) read from an index alone, their names only for those few."""
    e = ProgressEntry
    query = select(e.unit_id).where(e.period == period.key, e.is_current)
    if among is not None and not among:
        return []
    if among is not None:
        query = query.where(e.unit_id.in_(among))
    reporting = await session.scalars(query.distinct())
    others = set(reporting) - owing
    if not others:
        return []
    names = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(others)))
    return [(unit_id, name) for unit_id, name in names]


def _order(place: int) -> tuple[int, ...]:
    """The `ObligationView.order` that `place` encodes (positions below 1,000)."""
    rest, position = divmod(place, 1000)
    rest, role = divmod(rest, 4)
    plan, number = divmod(rest, PLACE)
    return (plan, number, role, position)
