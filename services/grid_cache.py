"""The ledger grid's answer kept per period (and plan filter), rebuilt only when what its cells
show has changed: which obligations exist, count, are past due or have nobody bound, which
current reports wait for 审定, and the period's light (due soon or not).

Each request first reads those facts summed over the period (one row, from the covering
indexes the grid itself uses: ix_obligations_grid and the partial
ix_progress_entries_current_state); unchanged, the kept answer is returned. Otherwise the same
sums per unit tell which units changed, and only their rows are read again; a
unit owing other tasks, or the light changing, rebuilds the whole grid. A change from any
process (the bot, the CLI, another replica) changes the fingerprint: nothing has to remember
to invalidate. Task texts and unit names are those of the last full build.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import WAITING
from ledger.grid import period_light
from ledger.periods import Period
from ledger.timetable import AsOf, ledger_schedule
from models import Obligation, ProgressEntry
from services import ledger_grid
from services.obligations import open_ledger

KEEP = 24  # periods × plan filters kept; a year of periods, twice over
SPREAD = 1_000_003  # (unit, task) → unit·SPREAD + task: one number per pair
Marks = dict[int, tuple[int, ...]]  # unit → its facts' sums


def _terms(table: Any) -> tuple[Any, Any]:
    """A set of tasks as two sums, of ids and of their squares: {5} and {2, 3} differ."""
    task = cast(table.task_id, BigInteger)
    return task, task * task


async def fingerprint(session: AsyncSession, period: Period, as_of: AsOf) -> tuple[str, Marks]:
    """What the period's cells depend on: its light, and per unit the count and sums of task
    ids over what it owes, what counts, what is past due and has somebody bound, and what
    waits for 审定. Equal fingerprints, equal cells; a unit whose sums changed is read again."""
    o, e = Obligation, ProgressEntry
    now = as_of["now"]
    sets = (o.counted_at.is_not(None), o.due_at <= now, o.contacts > 0)
    owed = await session.execute(
        select(
            o.unit_id,
            func.count(),
            *(func.sum(term) for term in _terms(o)),
            *(func.sum(case((member, term), else_=0)) for member in sets for term in _terms(o)),
        )
        .where(o.period == period.key)
        .group_by(o.unit_id)
    )
    marks: Marks = {row[0]: (*(int(v or 0) for v in row[1:]), 0, 0) for row in owed}
    waiting = await session.execute(
        select(e.unit_id, *(func.sum(term) for term in _terms(e)))
        .where(e.period == period.key, e.state.in_(WAITING), ledger_grid.CURRENT)
        .group_by(e.unit_id)
    )
    for unit_id, tasks, squares in waiting:
        if unit_id in marks:
            marks[unit_id] = (*marks[unit_id][:-2], int(tasks or 0), int(squares or 0))
    schedule = ledger_schedule(period, as_of["rules"], as_of["tz"])
    return period_light(now, schedule, as_of["rules"]).value, marks


async def totals(session: AsyncSession, period: Period, as_of: AsOf) -> tuple[Any, ...]:
    """The same facts summed over the whole period, (unit, task) pairs as one number each:
    one row to read, so an unchanged grid costs this and nothing more."""
    o, e = Obligation, ProgressEntry
    pair = cast(o.unit_id, BigInteger) * SPREAD + o.task_id
    sets = (o.counted_at.is_not(None), o.due_at <= as_of["now"], o.contacts > 0)
    owed = (
        await session.execute(
            select(func.count(), func.sum(pair),
                   *(func.sum(case((member, pair), else_=0)) for member in sets))
            .where(o.period == period.key)
        )
    ).one()  # fmt: skip
    waiting = await session.scalar(
        select(func.sum(cast(e.unit_id, BigInteger) * SPREAD + e.task_id)).where(
            e.period == period.key, e.state.in_(WAITING), ledger_grid.CURRENT
        )
    )
    schedule = ledger_schedule(period, as_of["rules"], as_of["tz"])
    light = period_light(as_of["now"], schedule, as_of["rules"]).value
    return (*(int(v or 0) for v in owed), int(waiting or 0), light)


@dataclass(frozen=True)
class Kept:
    total: tuple[Any, ...]
    light: str
    marks: Marks
    data: dict[str, Any]


@dataclass
class GridCache:
    """One web server's grids, by (period, plan filter), with the fingerprint they were
    built at."""

    grids: OrderedDict[tuple[str, str | None], Kept] = field(default_factory=OrderedDict)

    async def grid(
        self, session: AsyncSession, *, period: Period, as_of: AsOf, plan_code: str | None
    ) -> dict[str, Any]:
        """The grid as `ledger_grid.grid` builds it: kept while nothing changed, the changed
        units' rows read again while every unit owes what it owed, else built anew."""
        key = (period.key, plan_code)
        await open_ledger(session, period, **as_of)  # a first view writes the obligations
        total = await totals(session, period, as_of)  # read before the grid: never newer
        kept = self.grids.get(key)
        if kept is not None and kept.total == total:
            self.grids.move_to_end(key)
            return kept.data
        light, marks = await fingerprint(session, period, as_of)
        if kept is not None and kept.light == light and kept.marks.keys() == marks.keys():
            changed = [u for u, m in marks.items() if m != kept.marks[u]]
            if not changed:
                data = kept.data
            elif all(marks[u][:3] == kept.marks[u][:3] for u in changed):  # same tasks owed
                data = await ledger_grid.patch(
                    session, kept.data, period=period, as_of=as_of, unit_ids=changed
                )
            else:
                data = await ledger_grid.grid(
                    session, period=period, as_of=as_of, plan_code=plan_code
                )
        else:
            data = await ledger_grid.grid(session, period=period, as_of=as_of, plan_code=plan_code)
        self.grids[key] = Kept(total, light, marks, data)
        self.grids.move_to_end(key)
        while len(self.grids) > KEEP:
            self.grids.popitem(last=False)
        return data
