"""Who is writing: admin, staff, a unit's contact or principal, or nobody the bot knows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole
from models import Contact, Staff, TelegramUser, Unit


@dataclass(frozen=True)
class Binding:
    contact_id: int
    unit_id: int
    unit_name: str
    role: ContactRole


@dataclass(frozen=True)
class Identity:
    user_id: int
    is_admin: bool
    is_staff: bool  # admins are staff too
    bindings: tuple[Binding, ...]
    language: str | None = None

    @property
    def known(self) -> bool:
        return self.is_staff or bool(self.bindings)

    def units(self, role: ContactRole | None = None) -> list[Binding]:
        return [b for b in self.bindings if role is None or b.role == role]

    @property
    def is_contact(self) -> bool:
        return bool(self.units(ContactRole.CONTACT))

    @property
    def is_principal(self) -> bool:
        return bool(self.units(ContactRole.PRINCIPAL))


async def identify(session: AsyncSession, user_id: int, admin_ids: Iterable[int] = ()) -> Identity:
    staff = await session.scalar(
        select(Staff).where(Staff.telegram_user_id == user_id, Staff.active)
    )
    rows = (
        await session.execute(
            select(Contact.id, Unit.id, Unit.name, Contact.role)
            .join(Unit, Unit.id == Contact.unit_id)
            .where(Contact.telegram_user_id == user_id, Contact.active)
            .order_by(Unit.name, Contact.role)
        )
    ).all()
    language = await session.scalar(
        select(TelegramUser.language).where(TelegramUser.telegram_user_id == user_id)
    )
    is_admin = user_id in set(admin_ids) or bool(staff and staff.is_admin)
    return Identity(
        user_id=user_id,
        is_admin=is_admin,
        is_staff=is_admin or staff is not None,
        bindings=tuple(Binding(c, u, n, r) for c, u, n, r in rows),
        language=language,
    )


async def touch_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str | None,
    username: str | None,
    telegram_language: str | None,
    now: datetime,
) -> TelegramUser:
    """Remember a user's Telegram profile (for names in reports and the language default).

    Someone who writes to the bot can be reached again: a 403 flag on their contacts is lifted,
    so later prompts include them."""
    await session.execute(
        update(Contact)
        .where(Contact.telegram_user_id == user_id, Contact.unreachable_at.is_not(None))
        .values(unreachable_at=None)
    )
    user = await session.get(TelegramUser, user_id)
    if user is None:
        user = TelegramUser(telegram_user_id=user_id, failed_invites=0)
        session.add(user)
    user.first_name, user.username = first_name, username
    user.telegram_language, user.last_seen_at = telegram_language, now
    return user


async def set_language(session: AsyncSession, user_id: int, language: str, now: datetime) -> None:
    user = await session.get(TelegramUser, user_id)
    if user is None:
        user = TelegramUser(telegram_user_id=user_id, failed_invites=0, last_seen_at=now)
        session.add(user)
    user.language = language


async def language_of(session: AsyncSession, user_id: int, default: str) -> str:
    """The language to write to someone who is not the current sender (e.g. a principal)."""
    user = await session.get(TelegramUser, user_id)
    if user is None:
        return default
    if user.language:
        return user.language
    code = user.telegram_language or ""
    return "en" if code.lower().startswith("en") else default


async def mark_reachable(session: AsyncSession, user_id: int) -> None:
    """They wrote to the bot in private, so it can write to them again: clear the
    unreachable flag a 403 set on their bindings (later rounds include them again)."""
    await session.execute(
        update(Contact)
        .where(Contact.telegram_user_id == user_id, Contact.unreachable_at.is_not(None))
        .values(unreachable_at=None)
    )
