"""Every unit with who speaks for it: bound contacts and principals, members, pause, aliases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole, UnitKind
from models import Contact, TelegramUser, Unit, UnitAlias, UnitMember
from services.pauses import paused_units


@dataclass
class RosterRow:
    unit_id: int
    name: str
    kind: UnitKind
    contacts: list[str] = field(default_factory=list)
    principals: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    paused: bool = False


async def unit_roster(session: AsyncSession, today: date) -> list[RosterRow]:
    """All units in the order they were filed (imports file them in the document's order)."""
    rows = {
        i: RosterRow(i, n, k)
        for i, n, k in await session.execute(
            select(Unit.id, Unit.name, Unit.kind).order_by(Unit.id)
        )
    }
    bound = await session.execute(
        select(Contact.unit_id, Contact.role, Contact.display_name, Contact.telegram_user_id,
               TelegramUser.first_name)
        .outerjoin(TelegramUser, TelegramUser.telegram_user_id == Contact.telegram_user_id)
        .where(Contact.active)
        .order_by(Contact.id)
    )  # fmt: skip
    for unit_id, role, display, user_id, first_name in bound:
        who = display or first_name or str(user_id)
        row = rows[unit_id]
        (row.principals if role == ContactRole.PRINCIPAL else row.contacts).append(who)
    members = await session.execute(
        select(UnitMember.collective_id, Unit.name)
        .join(Unit, Unit.id == UnitMember.member_id)
        .order_by(Unit.id)
    )
    for collective_id, name in members:
        rows[collective_id].members.append(name)
    for unit_id, alias in await session.execute(
        select(UnitAlias.unit_id, UnitAlias.alias).order_by(UnitAlias.id)
    ):
        rows[unit_id].aliases.append(alias)
    for unit_id in await paused_units(session, today):
        rows[unit_id].paused = True
    return list(rows.values())
