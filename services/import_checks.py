"""Warnings an import owes its reader: collectives that reach nobody, near-duplicate units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.importing import ParsedPlan
from ledger.importing.units import guess_unit_kind
from ledger.unit_checks import near_duplicates
from ledger.vocab import UnitKind
from models import Unit, UnitAlias, UnitMember


def _names(parsed: ParsedPlan) -> list[str]:
    listed = (n for t in parsed.tasks for n in (*t.lead_units, *t.support_units, *t.data_units))
    return list(dict.fromkeys(listed))


async def unit_warnings(session: AsyncSession, parsed: ParsedPlan) -> list[str]:
    """Read-only checks against the registry, each warning naming the command that fixes it."""
    names = _names(parsed)
    units = {n: (i, k) for i, n, k in await session.execute(select(Unit.id, Unit.name, Unit.kind))}
    aliases = dict((await session.execute(select(UnitAlias.alias, UnitAlias.unit_id))).all())
    kinds = {i: k for i, k in units.values()}
    filled = set((await session.scalars(select(UnitMember.collective_id))).all())
    warnings = []
    for name in names:
        unit_id = units[name][0] if name in units else aliases.get(name)
        empty = (
            guess_unit_kind(name) == UnitKind.COLLECTIVE
            if unit_id is None
            else kinds[unit_id] == UnitKind.COLLECTIVE and unit_id not in filled
        )
        if empty:
            warnings.append(
                f"collective {name} has no members, so its tasks reach no unit: "
                f"`/group {name} MEMBER…` (or `ledgerbot units group {name} MEMBER…`) fills it"
            )
    new = [n for n in names if n not in units and n not in aliases]
    for name, other in near_duplicates(new, [*units, *names]):
        warnings.append(
            f"new unit {name} looks like {other}: `/alias {other} {name}` (or `ledgerbot units "
            f"alias {other} {name}`) files it under {other}"
        )
    return warnings
