"""Invite codes and bindings: how a Telegram user becomes a unit's contact or principal.

Codes carry 192 random bits, are stored only as SHA-256, expire, are single-use by default and
can be revoked. Five wrong codes lock a user out of redeeming for ten minutes (brute force).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole
from models import Contact, Invite, TelegramUser, Unit
from services.audit import Actor, record
from services.obligations import refresh_contacts
from services.units import get_unit

MAX_FAILED_REDEEMS = 5
LOCKOUT = timedelta(minutes=10)
CODE_BYTES = 24  # 192 bits → 32 URL-safe characters, inside Telegram's 64 for /start


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOCKED = "locked"


@dataclass(frozen=True)
class IssuedInvite:
    id: int
    code: str
    unit: str
    role: ContactRole
    expires_at: datetime
    max_uses: int


@dataclass(frozen=True)
class BindResult:
    """Either a binding (unit, role) or the problem that refused it."""

    unit: str | None = None
    role: ContactRole | None = None
    already_bound: bool = False
    problem: InviteProblem | None = None
    contact_id: int | None = None  # the new binding (None when already bound or refused)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def create_invite(
    session: AsyncSession,
    *,
    unit_name: str,
    role: ContactRole,
    uses: int,
    days: float,
    now: datetime,
    actor: Actor,
) -> IssuedInvite:
    if uses < 1 or days <= 0:
        raise ValueError("an invite needs at least one use and a positive lifetime")
    unit = await get_unit(session, unit_name)
    code = secrets.token_urlsafe(CODE_BYTES)
    invite = Invite(
        code_hash=hash_code(code),
        unit_id=unit.id,
        role=role,
        max_uses=uses,
        uses=0,
        expires_at=now + timedelta(days=days),
        created_by=actor.user_id,
    )
    session.add(invite)
    await session.flush()
    record(session, actor, "invite.create", unit.name, invite_id=invite.id, role=role.value)
    return IssuedInvite(invite.id, code, unit.name, role, invite.expires_at, uses)


async def revoke_invite(
    session: AsyncSession, *, invite_id: int, now: datetime, actor: Actor
) -> bool:
    invite = await session.get(Invite, invite_id)
    if invite is None or invite.revoked_at is not None:
        return False
    invite.revoked_at = now
    record(session, actor, "invite.revoke", str(invite_id))
    return True


async def list_invites(session: AsyncSession) -> list[tuple[Invite, str]]:
    rows = await session.execute(
        select(Invite, Unit.name).join(Unit, Unit.id == Invite.unit_id).order_by(Invite.id)
    )
    return [(invite, name) for invite, name in rows]


async def redeem_invite(
    session: AsyncSession,
    *,
    code: str,
    user_id: int,
    display_name: str | None,
    now: datetime,
    actor: Actor,
) -> BindResult:
    """Bind the user. A refusal binds nothing but is committed as a counted, audited attempt,
    which is why it is returned rather than raised."""
    user = await session.get(TelegramUser, user_id)
    if user and user.invites_locked_until and user.invites_locked_until > now:
        return BindResult(problem=InviteProblem.LOCKED)
    invite = await session.scalar(select(Invite).where(Invite.code_hash == hash_code(code)))
    problem = _problem(invite, now)
    if problem is not None or invite is None:
        await _count_failure(session, user_id, user, now)
        record(session, actor, "invite.refused", None, reason=str(problem))
        return BindResult(problem=problem)
    unit = await session.get_one(Unit, invite.unit_id)
    existing = await session.scalar(
        select(Contact).where(
            Contact.telegram_user_id == user_id,
            Contact.unit_id == unit.id,
            Contact.role == invite.role,
            Contact.active,
        )
    )
    if existing is None:
        # One conditional UPDATE: of several people redeeming a single-use code at the same
        # moment, exactly one sees its row change (PostgreSQL re-checks the condition after the
        # other writer commits; SQLite serialises writers).
        taken = await session.execute(
            update(Invite)
            .where(
                Invite.id == invite.id,
                Invite.uses < Invite.max_uses,
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
            .values(uses=Invite.uses + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            await _count_failure(session, user_id, user, now)
            record(session, actor, "invite.refused", None, reason=str(InviteProblem.USED))
            return BindResult(problem=InviteProblem.USED)
        contact = Contact(
            telegram_user_id=user_id,
            unit_id=unit.id,
            role=invite.role,
            display_name=display_name,
            bound_at=now,
        )
        session.add(contact)
        await session.flush()
        await refresh_contacts(session, [unit.id])  # open periods now show the new binding
    if user is not None:
        user.failed_invites, user.invites_locked_until = 0, None
    record(session, actor, "contact.bind", unit.name, role=invite.role.value, invite_id=invite.id)
    return BindResult(
        unit.name, invite.role, already_bound=existing is not None,
        contact_id=contact.id if existing is None else None,
    )  # fmt: skip


def _problem(invite: Invite | None, now: datetime) -> InviteProblem | None:
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.revoked_at is not None:
        return InviteProblem.REVOKED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    if invite.uses >= invite.max_uses:
        return InviteProblem.USED
    return None


async def _count_failure(
    session: AsyncSession, user_id: int, user: TelegramUser | None, now: datetime
) -> None:
    if user is None:
        user = TelegramUser(telegram_user_id=user_id, failed_invites=0, last_seen_at=now)
        session.add(user)
    user.failed_invites += 1
    if user.failed_invites >= MAX_FAILED_REDEEMS:
        user.invites_locked_until, user.failed_invites = now + LOCKOUT, 0


async def unbind(
    session: AsyncSession, *, user_id: int, unit_name: str | None, now: datetime, actor: Actor
) -> int:
    """Deactivate a user's bindings (to one unit, or all); history stays. Returns how many."""
    return len(await unbind_contacts(session, user_id=user_id, unit_name=unit_name, now=now,
                                     actor=actor))  # fmt: skip


async def unbind_contacts(
    session: AsyncSession, *, user_id: int, unit_name: str | None, now: datetime, actor: Actor
) -> list[Contact]:
    """`unbind`, returning the bindings it ended (the person is told of each)."""
    query = select(Contact).where(Contact.telegram_user_id == user_id, Contact.active)
    if unit_name is not None:
        query = query.where(Contact.unit_id == (await get_unit(session, unit_name)).id)
    contacts = (await session.scalars(query)).all()
    for contact in contacts:
        contact.active, contact.unbound_at = False, now
        record(session, actor, "contact.unbind", str(user_id), unit_id=contact.unit_id)
    await session.flush()
    await refresh_contacts(session, {c.unit_id for c in contacts})
    return list(contacts)
