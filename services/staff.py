"""Bureau staff and admins (beyond LEDGERBOT_ADMIN_IDS, which are always admins)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Staff, TelegramUser
from services.audit import Actor, record


async def add_staff(
    session: AsyncSession, *, user_id: int, admin: bool, now: datetime, actor: Actor
) -> Staff:
    staff = await session.scalar(select(Staff).where(Staff.telegram_user_id == user_id))
    if staff is None:
        staff = Staff(telegram_user_id=user_id, created_at=now)
        session.add(staff)
    staff.is_admin, staff.active, staff.removed_at = admin, True, None
    staff.added_by = actor.user_id
    record(session, actor, "staff.add", str(user_id), admin=admin)
    return staff


async def remove_staff(session: AsyncSession, *, user_id: int, now: datetime, actor: Actor) -> bool:
    staff = await session.scalar(
        select(Staff).where(Staff.telegram_user_id == user_id, Staff.active)
    )
    if staff is None:
        return False
    staff.active, staff.removed_at = False, now
    record(session, actor, "staff.remove", str(user_id))
    return True


async def list_staff(session: AsyncSession) -> list[Staff]:
    return list((await session.scalars(select(Staff).where(Staff.active).order_by(Staff.id))).all())


async def staff_who_wrote(session: AsyncSession, admin_ids: Iterable[int]) -> list[int]:
    """Active staff and configured admins who have written to the bot: the only staff whose
    private chat Telegram lets the bot address (e.g. to set their command menu)."""
    staff = {s.telegram_user_id for s in await list_staff(session)} | set(admin_ids)
    stmt = select(TelegramUser.telegram_user_id).where(TelegramUser.telegram_user_id.in_(staff))
    return sorted((await session.scalars(stmt)).all())
