"""Find units by name or alias: the one lookup every command that names a unit uses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Unit, UnitAlias


class UnknownUnit(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown unit {name!r}")
        self.name = name


async def find_unit(session: AsyncSession, name: str) -> Unit | None:
    name = name.strip()
    unit = await session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = await session.scalar(
            select(Unit)
            .join(UnitAlias, UnitAlias.unit_id == Unit.id)
            .where(UnitAlias.alias == name)
        )
    return unit


async def get_unit(session: AsyncSession, name: str) -> Unit:
    unit = await find_unit(session, name)
    if unit is None:
        raise UnknownUnit(name)
    return unit
