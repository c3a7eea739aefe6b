"""Dated pauses: a unit owes nothing for periods that open while it is paused (absence,
reorganisation); periods already open or closed keep what they owe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.obligations import Pause, is_paused
from ledger.timetable import CalendarRules
from models import UnitPause
from services.audit import Actor, record
from services.obligations import refresh
from services.units import get_unit


class PauseError(ValueError):
    """A pause that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class PauseResult:
    unit: str
    starts_on: date | None
    ends_on: date | None
    changed_periods: dict[str, dict[str, int]]


async def pauses_of(session: AsyncSession, unit_id: int) -> list[Pause]:
    rows = await session.execute(
        select(UnitPause.starts_on, UnitPause.ends_on).where(UnitPause.unit_id == unit_id)
    )
    return [Pause(starts, ends) for starts, ends in rows]


async def paused_units(session: AsyncSession, day: date) -> set[int]:
    rows = await session.execute(select(UnitPause.unit_id, UnitPause.starts_on, UnitPause.ends_on))
    return {unit for unit, starts, ends in rows if Pause(starts, ends).covers(day)}


async def pause(
    session: AsyncSession,
    *,
    unit_name: str,
    starts_on: date,
    ends_on: date | None,
    actor: Actor,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> PauseResult:
    """Pause a unit from `starts_on` until `ends_on` (both included; None: until resumed)."""
    if ends_on is not None and ends_on < starts_on:
        raise PauseError(f"the pause ends ({ends_on}) before it starts ({starts_on})")
    unit = await get_unit(session, unit_name)
    session.add(UnitPause(unit_id=unit.id, starts_on=starts_on, ends_on=ends_on, created_at=now))
    await session.flush()
    record(session, actor, "unit.pause", unit.name, starts_on=starts_on.isoformat(),
           ends_on=ends_on.isoformat() if ends_on else None)  # fmt: skip
    changed = await refresh(session, reason=f"pause {unit.name}", actor=actor, now=now,
                            rules=rules, tz=tz)  # fmt: skip
    return PauseResult(unit.name, starts_on, ends_on, changed)


async def resume(
    session: AsyncSession,
    *,
    unit_name: str,
    actor: Actor,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> PauseResult:
    """End the unit's pauses today: periods opening from today on are owed again. A pause that
    had not started yet is dropped."""
    unit = await get_unit(session, unit_name)
    today = now.astimezone(tz).date()
    rows = (await session.scalars(select(UnitPause).where(UnitPause.unit_id == unit.id))).all()
    active = [p for p in rows if p.ends_on is None or p.ends_on >= today]
    if not active and not is_paused(await pauses_of(session, unit.id), today):
        raise PauseError(f"{unit.name} is not paused")
    for row in active:
        if row.starts_on >= today:
            await session.execute(delete(UnitPause).where(UnitPause.id == row.id))
        else:
            row.ends_on = today - timedelta(days=1)
    await session.flush()
    record(session, actor, "unit.resume", unit.name, on=today.isoformat())
    changed = await refresh(session, reason=f"resume {unit.name}", actor=actor, now=now,
                            rules=rules, tz=tz)  # fmt: skip
    return PauseResult(unit.name, None, today, changed)
