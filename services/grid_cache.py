"""The ledger grid's answer kept per period (and plan filter), rebuilt only when what its cells
show has changed: which obligations exist, count, are past due or have nobody bound, which
current reports wait for 审定, and the period's light (due soon or not).

Each request first reads a fingerprint of those facts: sums of (unit, task) keys over each set,
read from the covering indexes the grid itself uses (ix_obligations_grid and the partial
ix_progress_entries_current_state), so it costs a fraction of building 84,000 cells. A change
from any process (the bot, the CLI, another replica) changes the fingerprint: nothing has to
remember to invalidate. Task texts and unit names are those of the last rebuild.
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
SPREAD = 1_000_003  # (unit, task) → unit·SPREAD + task, one number per pair


def _pair(unit_id: Any, task_id: Any) -> Any:
    return cast(unit_id, BigInteger) * SPREAD + task_id


async def fingerprint(session: AsyncSession, period: Period, as_of: AsOf) -> tuple[Any, ...]:
    """What the period's cells depend on, as a few sums: equal fingerprints, equal cells."""
    o, e = Obligation, ProgressEntry
    pair, now = _pair(o.unit_id, o.task_id), as_of["now"]
    owed = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((o.counted_at.is_not(None), pair), else_=0)),
                func.sum(case((o.due_at <= now, pair), else_=0)),
                func.sum(case((o.contacts > 0, pair), else_=0)),
            ).where(o.period == period.key)
        )
    ).one()
    waiting = await session.scalar(
        select(func.sum(_pair(e.unit_id, e.task_id))).where(
            e.period == period.key, e.state.in_(WAITING), ledger_grid.CURRENT
        )
    )
    schedule = ledger_schedule(period, as_of["rules"], as_of["tz"])
    light = period_light(now, schedule, as_of["rules"])
    return (*(int(v or 0) for v in owed), int(waiting or 0), light.value)


@dataclass
class GridCache:
    """One web server's grids, by (period, plan filter), with the fingerprint they were
    built at."""

    grids: OrderedDict[tuple[str, str | None], tuple[tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=OrderedDict
    )

    async def grid(
        self, session: AsyncSession, *, period: Period, as_of: AsOf, plan_code: str | None
    ) -> dict[str, Any]:
        """The grid as `ledger_grid.grid` builds it, from the cache while nothing changed."""
        key = (period.key, plan_code)
        await open_ledger(session, period, **as_of)  # a first view writes the obligations
        mark = await fingerprint(session, period, as_of)  # before building: never newer
        kept = self.grids.get(key)
        if kept is not None and kept[0] == mark:
            self.grids.move_to_end(key)
            return kept[1]
        data = await ledger_grid.grid(session, period=period, as_of=as_of, plan_code=plan_code)
        self.grids[key] = (mark, data)
        self.grids.move_to_end(key)
        while len(self.grids) > KEEP:
            self.grids.popitem(last=False)
        return data
