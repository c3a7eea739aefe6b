"""The 督办 facts a quarterly bulletin reports: 催办 per unit and granted 延期申请."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Quarter
from reports.data import Extended, UnitRef
from services.extensions import granted
from services.urging import urge_counts


async def duban_facts(
    session: AsyncSession, quarter: Quarter, now: datetime
) -> tuple[dict[UnitRef, int], list[Extended]]:
    """(unit → 催办 it needed, granted extensions) about the quarter's periods, as of `now`."""
    periods = [p.key for p in quarter.periods()]
    urged = await urge_counts(session, periods, now)
    urges = {UnitRef(name, unit_id): n for (name, unit_id), n in urged.items()}
    extended = [
        Extended(UnitRef(x.unit, x.request.unit_id), x.task_number, x.request.period,
                 x.request.until)
        for x in await granted(session, periods, now)
    ]  # fmt: skip
    return urges, extended
