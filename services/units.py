"""Find units by name or alias: the one lookup every command that names a unit uses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.queries import match_names
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


async def match_units(session: AsyncSession, name: str) -> list[Unit]:
    """The units a typed name may mean: by name or alias, exactly or by an unambiguous part
    (ledger.queries.match_names); several when it is ambiguous, none when unknown."""
    spellings = {n: i for i, n in await session.execute(select(Unit.id, Unit.name))}
    spellings |= dict(
        (a, i) for a, i in await session.execute(select(UnitAlias.alias, UnitAlias.unit_id))
    )
    ids = match_names(name, spellings)
    if not ids:
        return []
    units = (await session.scalars(select(Unit).where(Unit.id.in_(ids)))).all()
    return sorted(units, key=lambda u: ids.index(u.id))
