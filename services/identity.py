"""Who is writing: admin, staff, a unit's contact or principal, or nobody the bot knows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole
from models import Contact, Staff, TelegramUser, Unit

# A known profile is written again at most this often (`last_seen_at` is that precise).
SEEN_EVERY = timedelta(hours=1)


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
    return (await _read(session, user_id, admin_ids)).identity


@dataclass(frozen=True)
class Profile:
    """What Telegram says about a user with each update."""

    first_name: str | None
    username: str | None
    telegram_language: str | None


@dataclass(frozen=True)
class _Seen:
    identity: Identity
    user: TelegramUser | None
    unreachable: bool  # some binding of theirs carries the 403 flag


async def _read(session: AsyncSession, user_id: int, admin_ids: Iterable[int]) -> _Seen:
    """Three reads: staff row, every binding (active or not, for the 403 flag), user row."""
    staff = await session.scalar(
        select(Staff).where(Staff.telegram_user_id == user_id, Staff.active)
    )
    flagged = Contact.unreachable_at.is_not(None)
    rows = (
        await session.execute(
            select(Contact.id, Unit.id, Unit.name, Contact.role, Contact.active, flagged)
            .join(Unit, Unit.id == Contact.unit_id)
            .where(Contact.telegram_user_id == user_id)
            .order_by(Unit.name, Contact.role)
        )
    ).all()
    user = await session.get(TelegramUser, user_id)
    is_admin = user_id in set(admin_ids) or bool(staff and staff.is_admin)
    identity = Identity(
        user_id=user_id,
        is_admin=is_admin,
        is_staff=is_admin or staff is not None,
        bindings=tuple(Binding(c, u, n, r) for c, u, n, r, active, _ in rows if active),
        language=user.language if user is not None else None,
    )
    return _Seen(identity, user, any(unreachable for *_, unreachable in rows))


@dataclass(frozen=True)
class Looked:
    """Who wrote, and what of theirs `remember` has to write (nothing, for most updates)."""

    identity: Identity
    stale: bool  # their profile row is missing, differs, or was written SEEN_EVERY ago
    unreachable: bool  # a binding of theirs carries the 403 flag

    @property
    def to_write(self) -> bool:
        return self.stale or self.unreachable


async def look(
    session: AsyncSession,
    user_id: int,
    profile: Profile,
    *,
    now: datetime,
    admin_ids: Iterable[int] = (),
) -> Looked:
    """Who wrote (see `identify`) and whether their profile or 403 flag needs writing: reads
    only, so it may run in a read-only unit of work."""
    found = await _read(session, user_id, admin_ids)
    user = found.user
    stale = (
        user is None
        or (user.first_name, user.username, user.telegram_language)
        != (profile.first_name, profile.username, profile.telegram_language)
        or now - user.last_seen_at >= SEEN_EVERY
    )
    return Looked(found.identity, stale, found.unreachable)


async def remember(
    session: AsyncSession, user_id: int, profile: Profile, *, now: datetime, unreachable: bool
) -> None:
    """Write what `look` found out of date: the profile (and `last_seen_at`), and lift the 403
    flag on their bindings (someone who writes to the bot can be reached again, so later
    prompts include them)."""
    if unreachable:
        await session.execute(
            update(Contact)
            .where(Contact.telegram_user_id == user_id, Contact.unreachable_at.is_not(None))
            .values(unreachable_at=None)
        )
    user = await session.get(TelegramUser, user_id)
    if user is None:
        user = TelegramUser(telegram_user_id=user_id, failed_invites=0)
        session.add(user)
    user.first_name, user.username = profile.first_name, profile.username
    user.telegram_language, user.last_seen_at = profile.telegram_language, now


async def seen(
    session: AsyncSession,
    user_id: int,
    profile: Profile,
    *,
    now: datetime,
    admin_ids: Iterable[int] = (),
) -> Identity:
    """`look` and, when something is out of date, `remember`, in the caller's transaction."""
    looked = await look(session, user_id, profile, now=now, admin_ids=admin_ids)
    if looked.to_write:
        await remember(session, user_id, profile, now=now, unreachable=looked.unreachable)
    return looked.identity


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
