"""What the weekly digest says: the open period's status, lights, deadlines and quarter milestones.

Shared by the scheduled digest (scheduler.jobs), the /digest preview and `ledgerbot digest`, so
all three always show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.status import UnitStatus
from ledger.timetable import CalendarRules, ledger_schedule, milestone_schedule, to_utc
from ledger.traffic_light import Light, unit_light
from ledger.vocab import EntryStatus
from models import MilestoneResult, Obligation, ProgressEntry, Task
from reports.chart import ChartRow
from services.due import milestone_owing
from services.periods import open_period
from services.status import ROLE_ORDER, PeriodStatus
from services.status_revision import keep, marked_since, revision, store
from services.status_summary import period_summary

BEHIND_SHOWN = 10  # the digest's 滞后 lines: it stays a phone screen or two


@dataclass(frozen=True)
class Behind:
    """A current report marked 滞后 (behind schedule), as the digest lists it."""

    unit: str
    task_number: int
    text: str


@dataclass(frozen=True)
class DigestData:
    status: PeriodStatus
    lights: dict[int, Light]
    deadline: date  # of the digest's period
    next_deadline: date  # the next ledger deadline still ahead (may be the same)
    quarter: Quarter  # the quarter `now` is in
    milestone_deadline: date
    milestones_due: int  # (target, unit) pairs of that quarter owed under the ledger of record
    milestones_answered: int
    opened_today: bool = False  # the period's prompt went out today: nothing can be late yet
    behind: tuple[Behind, ...] = ()  # the first current reports marked 滞后, in status order
    behind_total: int = 0  # how many reports are marked 滞后

    def units_lit(self, light: Light) -> list[UnitStatus]:
        """Units owing reports in this light that have a bound contact, in status order."""
        return [
            u for u in self.status.units if u.owed and not u.unbound
            and self.lights.get(u.unit_id) == light
        ]  # fmt: skip

    def unbound(self) -> list[UnitStatus]:
        """Units owing reports that nobody could be prompted in (no bound contact)."""
        return [u for u in self.status.units if u.owed and u.unbound and not u.complete]

    def chart_rows(self) -> list[ChartRow]:
        return [
            ChartRow(u.unit, u.submitted - u.late, u.late, u.awaiting_approval, u.missing)
            for u in self.status.units
            if u.owed
        ]


async def digest_data(
    session: AsyncSession,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    period: Period | None = None,
) -> DigestData:
    """The digest of `period` (default: the open ledger) as seen at `now`."""
    period = period or await open_period(session, now=now, tz=tz)
    schedule = ledger_schedule(period, rules, tz)
    status = await period_summary(session, period=period, now=now, rules=rules, tz=tz)
    behind, behind_total = await behind_reports(session, status)  # before anything may write
    lights = {u.unit_id: unit_light(u, now, schedule, rules) for u in status.units}
    ahead = period
    while to_utc(ledger_schedule(ahead, rules, tz).due_at) <= to_utc(now):
        ahead = ahead.next()
    today = now.astimezone(tz).date()
    quarter = Quarter.of(today)
    due, answered = await _milestones(session, quarter, now=now, rules=rules, tz=tz)
    return DigestData(
        status=status,
        lights=lights,
        deadline=schedule.deadline,
        next_deadline=ledger_schedule(ahead, rules, tz).deadline,
        quarter=quarter,
        milestone_deadline=milestone_schedule(quarter, rules, tz).deadline,
        milestones_due=due,
        milestones_answered=answered,
        opened_today=schedule.prompt_at.astimezone(tz).date() == today,
        behind=behind,
        behind_total=behind_total,
    )


Owed = dict[int, dict[int, tuple[int | None, int]]]  # unit → its tasks behind → (plan, role)
_behind_kept = store()  # (database, period, shown) → (Revision, Owed, the digest's list)


async def behind_reports(
    session: AsyncSession, status: PeriodStatus, shown: int = BEHIND_SHOWN
) -> tuple[tuple[Behind, ...], int]:
    """The first `shown` current reports marked 滞后 and how many there are: units in the
    status's order, each unit's reports in the order `ledger.status.aggregate` lists them (the
    tasks it owes in the document's order, then reports on tasks it does not owe, by number).
    Kept per process until a write changes what it reads (services.status_revision); after a
    write only the units it touched are read again."""
    current = await revision(session)
    key = (current.database, status.period.key, shown)
    kept = _behind_kept.get(key)
    owed: Owed | None = None
    if current.value is not None and kept is not None:
        if kept[0].value == current.value:
            return cast(tuple[tuple[Behind, ...], int], kept[2])
        marked = await marked_since(session, current, kept[0], status.period)
        if marked is not None:
            owed = {unit: tasks for unit, tasks in kept[1].items() if unit not in marked}
            owed.update(await _behind_owed(session, status.period, marked))
    if owed is None:
        owed = await _behind_owed(session, status.period, None)
    found = await _first_behind(session, status, owed, shown)
    if current.value is not None:
        keep(_behind_kept, key, (current, owed, found))
    return found


async def _behind_owed(session: AsyncSession, period: Period, only: set[int] | None) -> Owed:
    """Which (unit, task) reports are behind (of `only` these units), with what their units
    owe: indexes only."""
    o, e = Obligation, ProgressEntry
    role_index = case(*((o.role == r, i) for i, r in enumerate(ROLE_ORDER)), else_=3)
    behind = (e.period == period.key) & e.is_current & (e.status == EntryStatus.BEHIND)
    query = (
        select(e.unit_id, e.task_id, o.plan_id, role_index)
        .outerjoin(o, (o.period == e.period) & (o.task_id == e.task_id) & (o.unit_id == e.unit_id))
        .where(behind)
    )
    if only is not None:
        query = query.where(e.unit_id.in_(only))
    owed: Owed = {}
    for unit_id, task_id, plan_id, role in await session.execute(query):
        tasks = owed.setdefault(unit_id, {})
        # a unit owing a task in two roles lists it at the later one, as the aggregate does
        tasks[task_id] = max(tasks.get(task_id, (plan_id, role)), (plan_id, role), key=_known)
    return owed


async def _first_behind(
    session: AsyncSession, status: PeriodStatus, owed: Owed, shown: int
) -> tuple[tuple[Behind, ...], int]:
    """Number and text of the first `shown` reports behind, in the status's order: one query
    for those alone."""
    e = ProgressEntry
    behind = (e.period == status.period.key) & e.is_current & (e.status == EntryStatus.BEHIND)
    rank = {u.unit_id: i for i, u in enumerate(status.units)}
    first: list[tuple[int, int]] = []
    for unit_id in sorted(owed, key=lambda u: rank.get(u, len(rank))):
        if len(first) >= shown:
            break
        first += [(unit_id, task_id) for task_id in owed[unit_id]]
    if not first:
        return (), 0
    names = {u.unit_id: u.unit for u in status.units}
    found = []
    wanted = set(first)
    for unit_id, task_id, number, text in await session.execute(
        select(e.unit_id, e.task_id, Task.number, e.progress)
        .join(Task, Task.id == e.task_id)
        .where(behind, e.unit_id.in_({unit for unit, _ in first}))  # the index's order
    ):  # fmt: skip
        if (unit_id, task_id) not in wanted:
            continue
        plan_id, role = owed[unit_id][task_id]
        # reports of one unit are on different tasks, told apart by (plan, number)
        place = (0, plan_id, number, role) if plan_id is not None else (1, number)
        found.append(((rank.get(unit_id, len(rank)), place), Behind(names[unit_id], number, text)))
    found.sort(key=lambda item: item[0])
    return tuple(b for _, b in found[:shown]), sum(len(tasks) for tasks in owed.values())


def _known(owed: tuple[int | None, int]) -> tuple[int, int]:
    plan_id, role = owed
    return (plan_id if plan_id is not None else -1, role)


async def _milestones(
    session: AsyncSession, quarter: Quarter, *, now: datetime, rules: CalendarRules, tz: ZoneInfo
) -> tuple[int, int]:
    """(targets owed, targets answered), counted per unit, for the quarter's milestones."""
    owing = await milestone_owing(session, quarter, now=now, rules=rules, tz=tz)
    pairs = {(item.key, unit) for unit, items in owing.items() for item in items}
    if not pairs:
        return 0, 0
    answered = {
        (m, u)
        for m, u in await session.execute(
            select(MilestoneResult.milestone_id, MilestoneResult.unit_id).where(
                MilestoneResult.milestone_id.in_({m for m, _ in pairs})
            )
        )
    }
    return len(pairs), len(pairs & answered)
