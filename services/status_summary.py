"""The staff /status of every unit as counts, counted by the database, and kept per process
until the database says something it reads changed (issue #17).

`status_revision.value` changes with every committed write to the tables the summary reads
(triggers of migration 0510). A summary is kept with the revision it was counted under and the
window of `now` in which its due counts hold (between the last due instant passed and the next
one), and served again while both hold: after any write, in this process or another, the next
call counts again. A transaction that wrote and has not committed yet never uses the cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, case, func, select, text, tuple_
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.status import UNORDERED, Counts, UnitStatus, in_status_order
from ledger.timetable import CalendarRules, to_utc
from ledger.vocab import EntryState, UnitRole
from models import Obligation, ProgressEntry, StatusRevision, Task, TaskUnit, Unit
from services.obligations import open_ledger
from services.status import ROLE_ORDER, PeriodStatus, listed_link, period_plans

PLACE = 1_000_000  # a unit's first obligation in one integer: (plan, number, role, position)
TRACKED = ("obligations", "progress_entries", "units", "tasks", "task_units", "plans",
           "ledger_periods")  # fmt: skip
KEPT = 16  # summaries kept per process (database, period)
T = TypeVar("T")


@dataclass(frozen=True)
class Kept:
    revision: int
    after: datetime | None  # the last due instant at or before the `now` it was counted at
    before: datetime | None  # the next due instant after it
    status: PeriodStatus

    def holds(self, revision: int, now: datetime) -> bool:
        moment = to_utc(now)
        return (
            revision == self.revision
            and (self.after is None or self.after <= moment)
            and (self.before is None or moment < self.before)
        )


_kept: dict[tuple[str, str], Kept] = {}
_derived: dict[tuple[str, str, str], tuple[int, object]] = {}  # (database, name, period)
_triggers: dict[str, bool] = {}  # database → all the revision's triggers are there


def forget() -> None:
    """Drop every kept summary (tests; a restored database)."""
    _kept.clear()
    _derived.clear()
    _triggers.clear()


async def revision(session: AsyncSession) -> tuple[str, int | None]:
    """The database (its URL) and its current revision, or None when the cache must not be used:
    the transaction wrote (PostgreSQL bumps at commit), or a later migration dropped the
    triggers (SQLite's batch mode copies tables without them)."""
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    return database, await _revision(session, database)


async def kept_or(
    session: AsyncSession, name: str, period: Period, compute: Callable[[], Awaitable[T]]
) -> T:
    """A value that the tracked tables alone decide (not the clock), kept per process under the
    revision like the summary: `compute()` runs again after any write."""
    database, current = await revision(session)
    found = _derived.get((database, name, period.key))
    if current is not None and found is not None and found[0] == current:
        return cast(T, found[1])
    value = await compute()
    if current is not None:
        if len(_derived) >= KEPT:
            _derived.clear()
        _derived[(database, name, period.key)] = (current, value)
    return value


async def _revision(session: AsyncSession, database: str) -> int | None:
    postgres = session.get_bind().dialect.name == "postgresql"
    if database not in _triggers:
        if postgres:
            found = await session.scalar(text(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'status\\_%' "
                "AND NOT tgisinternal"
            ))  # fmt: skip
            wanted = 2 * len(TRACKED)
        else:
            found = await session.scalar(text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'status_revision_%'"
            ))  # fmt: skip
            wanted = 3 * len(TRACKED)
        _triggers[database] = found == wanted
    if not _triggers[database]:
        return None
    if postgres:
        row = (await session.execute(select(
            StatusRevision.value,
            func.current_setting("ledgerbot.status_dirty", True),
        ).where(StatusRevision.id == 1))).first()  # fmt: skip
        return None if row is None or row[1] == "1" else int(row[0])
    value = await session.scalar(select(StatusRevision.value).where(StatusRevision.id == 1))
    return None if value is None else int(value)


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
    test holds it to `ledger.status.aggregate` on the same rows. Its units have no lists."""
    ledger = await open_ledger(session, period, now=now, rules=rules, tz=tz)
    database, current = await revision(session)
    kept = _kept.get((database, period.key))
    if current is not None and kept is not None and kept.holds(current, now):
        return replace(kept.status, ledger=ledger)
    status, after, before = await _count(session, period, now)
    status = replace(status, ledger=ledger)
    if current is not None:
        if len(_kept) >= KEPT:
            _kept.clear()
        _kept[(database, period.key)] = Kept(current, after, before, status)
    return status


async def _count(
    session: AsyncSession, period: Period, now: datetime
) -> tuple[PeriodStatus, datetime | None, datetime | None]:
    """The summary, and the due instants around `now` between which its counts hold."""
    o, e = Obligation, ProgressEntry
    role_index = case(*((o.role == r, i) for i, r in enumerate(ROLE_ORDER)), else_=3)
    task_place = (sql_cast(o.plan_id, BigInteger) * PLACE + Task.number) * 4 + role_index
    owed = (
        select(
            o.unit_id, func.count().label("owed"), func.count(o.counted_at).label("counted"),
            func.sum(case((o.counted_at >= o.due_at, 1), else_=0)).label("late"),
            func.sum(case((o.counted_at.is_(None) & (o.due_at <= now), 1), else_=0)).label("due"),
            func.sum(case((o.role == UnitRole.SUPPORT, 1), else_=0)).label("support"),
            func.sum(case(((o.role == UnitRole.SUPPORT) & o.counted_at.is_not(None), 1),
                          else_=0)).label("support_counted"),
            func.max(o.contacts).label("contacts"),
            func.max(case((o.has_principal, 1), else_=0)).label("principal"),
            func.min(task_place * 1000 + func.coalesce(TaskUnit.position, 0)).label("place"),
            func.max(case((o.due_at <= now, o.due_at))).label("after"),
            func.min(case((o.due_at > now, o.due_at))).label("before"),
        )
        .join(Task, Task.id == o.task_id)
        .outerjoin(TaskUnit, listed_link())
        .where(o.period == period.key)
        .group_by(o.unit_id)
        .subquery()
    )  # fmt: skip
    submitted = select(e.task_id, e.unit_id).where(  # few rows, found by index
        e.period == period.key, e.state == EntryState.SUBMITTED, e.is_current
    )
    waiting = {  # owed, not counted, its current entry waiting for 审定
        unit: (int(count), int(past_due or 0))
        for unit, count, past_due in await session.execute(
            select(o.unit_id, func.count(), func.sum(case((o.due_at <= now, 1), else_=0)))
            .where(o.period == period.key, o.counted_at.is_(None),
                   tuple_(o.task_id, o.unit_id).in_(submitted))
            .group_by(o.unit_id)
        )
    }  # fmt: skip
    units: list[UnitStatus] = []
    first: dict[int, tuple[int, ...]] = {}
    afters, befores = [], []
    for row in await session.execute(select(owed, Unit.name).join(Unit, Unit.id == owed.c.unit_id)):
        waits, waits_due = waiting.get(row.unit_id, (0, 0))
        counts = Counts(
            row.owed, row.counted, waits, int(row.late), int(row.support), int(row.support_counted)
        )
        units.append(
            UnitStatus(row.unit_id, row.name, contacts=int(row.contacts),
                       principal=bool(row.principal), overdue=int(row.due) - waits_due,
                       counts=counts)
        )  # fmt: skip
        first[row.unit_id] = _order(int(row.place))
        afters += [row.after] if row.after is not None else []
        befores += [row.before] if row.before is not None else []
    owing = select(o.unit_id).where(o.period == period.key)
    reported = await session.execute(  # a report is never hidden, even on a task not owed
        select(e.unit_id, Unit.name)
        .join(Unit, Unit.id == e.unit_id)
        .where(e.period == period.key, e.is_current, e.unit_id.not_in(owing))
        .distinct()
    )
    for unit_id, name in reported:
        units.append(UnitStatus(unit_id, name, counts=Counts(0, 0, 0, 0)))
        first[unit_id] = UNORDERED
    ordered = in_status_order(units, first)
    status = PeriodStatus(period, await period_plans(session, period), ordered)
    return status, max(afters, default=None), min(befores, default=None)


def _order(place: int) -> tuple[int, ...]:
    """The `ObligationView.order` that `place` encodes (positions below 1,000)."""
    rest, position = divmod(place, 1000)
    rest, role = divmod(rest, 4)
    plan, number = divmod(rest, PLACE)
    return (plan, number, role, position)
