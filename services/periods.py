"""Which monthly ledger is open, and when it is due."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, previous_period
from ledger.timetable import CalendarRules, ledger_schedule
from models import LedgerPeriod


async def open_period(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> Period:
    """The ledger whose prompt went out most recently and is not closed; else last month."""
    # The whole row, not its key: open_ledger's look-up of it then needs no statement.
    row = await session.scalar(
        select(LedgerPeriod)
        .where(LedgerPeriod.prompted_at.is_not(None), LedgerPeriod.closed_at.is_(None))
        .order_by(LedgerPeriod.key.desc())
        .limit(1)
    )
    return Period.parse(row.key) if row else previous_period(now.astimezone(tz).date())


async def due_at(
    session: AsyncSession, period: Period, rules: CalendarRules, tz: ZoneInfo
) -> datetime:
    """A period's deadline: as recorded when it was opened, or as the calendar computes it."""
    recorded = await session.scalar(
        select(LedgerPeriod.due_at).where(LedgerPeriod.key == period.key)
    )
    return recorded or ledger_schedule(period, rules, tz).due_at
