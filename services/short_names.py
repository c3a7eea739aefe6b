"""Short unit names in an imported plan, filed under the registry units they stand for."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.importing import ParsedPlan
from ledger.importing.abbrev import resolve_short_names
from models import Unit, UnitAlias


async def short_unit_names(
    session: AsyncSession, parsed: ParsedPlan
) -> tuple[ParsedPlan, list[dict[str, str]], list[str]]:
    """File short unit names (发改委, 经信局, 市住建局) under the registry unit they stand for.

    Unambiguous ones are replaced (and listed in the report); ambiguous ones are kept as
    written, with a warning naming the candidates, so no near-duplicate unit appears silently.
    """
    names = (await session.scalars(select(Unit.name))).all()
    aliases = await session.execute(select(UnitAlias.alias, Unit.name).join(Unit))
    registry = {n: n for n in names} | {alias: name for alias, name in aliases}
    listed = [n for t in parsed.tasks for n in (*t.lead_units, *t.support_units, *t.data_units)]
    found = resolve_short_names(listed, registry)
    mapping = {f.name: f.unit for f in found if f.unit}
    suggestions = [
        f"unit {f.name} may be {' or '.join(f.candidates)}: kept as written; "
        f"`ledgerbot units alias UNIT {f.name}` files it under one of them"
        for f in found
        if not f.unit
    ]

    def mapped(units: list[str]) -> list[str]:
        return list(dict.fromkeys(mapping.get(n, n) for n in units))

    if mapping:
        tasks = [
            dataclasses.replace(
                t,
                lead_units=mapped(t.lead_units),
                support_units=mapped(t.support_units),
                data_units=mapped(t.data_units),
            )
            for t in parsed.tasks
        ]
        parsed = dataclasses.replace(parsed, tasks=tasks)
    return parsed, [{"name": n, "unit": u} for n, u in mapping.items()], suggestions
