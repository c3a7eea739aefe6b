"""Who an obligation could ask: a unit's bound contacts and whether it has a bound principal,
as written on its open periods' obligations (so 未绑定 and "no principal" are as of then)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole
from models import Contact


async def snapshots(session: AsyncSession, unit_ids: Iterable[int]) -> dict[int, tuple[int, bool]]:
    """unit → (bound contacts, has a bound principal), as they are now."""
    wanted = list(set(unit_ids))
    found: dict[int, tuple[int, bool]] = dict.fromkeys(wanted, (0, False))
    if not wanted:
        return found
    rows = await session.execute(
        select(Contact.unit_id, Contact.role, func.count())
        .where(Contact.unit_id.in_(wanted), Contact.active)
        .group_by(Contact.unit_id, Contact.role)
    )
    for unit_id, role, count in rows:
        contacts, principal = found[unit_id]
        if role == ContactRole.CONTACT:
            contacts = int(count)
        else:
            principal = principal or count > 0
        found[unit_id] = (contacts, principal)
    return found
