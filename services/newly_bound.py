"""What a person just bound to a unit is owed at once: the prompt of each ledger already
prompted and not closed (a contact bound mid-period does not wait for next month), and the
plans whose assignment (交办) the unit may not have had yet. Plain records; the bot renders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import CalendarRules
from models import LedgerPeriod
from services.due import Recipient, ledger_recipients
from services.obligations import covering_plans
from services.periods import open_period


async def open_prompts(
    session: AsyncSession, *, contact_id: int, now: datetime, rules: CalendarRules, tz: ZoneInfo
) -> list[tuple[Period, Recipient]]:
    """The prompts the contact `contact_id` would have had: one per prompted, open ledger in
    which their unit owes something."""
    keys = await session.scalars(
        select(LedgerPeriod.key)
        .where(LedgerPeriod.prompted_at.is_not(None), LedgerPeriod.closed_at.is_(None))
        .order_by(LedgerPeriod.key)
    )
    found = []
    for key in keys.all():
        period = Period.parse(key)
        for r in await ledger_recipients(session, period, now=now, rules=rules, tz=tz):
            if r.contact_id == contact_id:
                found.append((period, r))
    return found


async def plans_to_assign(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> list[int]:
    """The plans covering the open ledger: their assignments go to units bound since."""
    period = await open_period(session, now=now, tz=tz)
    return [plan.id for plan in await covering_plans(session, period)]
