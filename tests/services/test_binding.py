"""Invite codes and binding, on a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import ContactRole
from models import AuditLog, Contact, Invite
from models.db import transaction
from services.audit import Actor
from services.binding import (
    MAX_FAILED_REDEEMS,
    InviteProblem,
    create_invite,
    hash_code,
    redeem_invite,
    revoke_invite,
    unbind,
)
from services.identity import identify
from services.units import UnknownUnit
from tests.factories import make_unit

NOW = datetime(2023, 4, 1, 1, 0, tzinfo=UTC)
CLI = Actor.cli()


async def _invite(session: AsyncSession, **kw: object) -> str:
    await make_unit(session, "市交通运输局")
    args = {"unit_name": "市交通运输局", "role": ContactRole.CONTACT, "uses": 1, "days": 7}
    args.update(kw)
    issued = await create_invite(session, now=NOW, actor=CLI, **args)  # type: ignore[arg-type]
    return issued.code


async def _redeem(session: AsyncSession, code: str, user: int = 42, at: datetime = NOW):
    return await redeem_invite(
        session,
        code=code,
        user_id=user,
        display_name="张三",
        now=at,
        actor=Actor.telegram(user, user),
    )


async def test_code_is_long_random_and_stored_hashed(session: AsyncSession) -> None:
    code = await _invite(session)
    assert len(code) >= 32 and len(code) <= 64
    stored = await session.scalar(select(Invite.code_hash))
    assert stored == hash_code(code) and code not in stored


async def test_redeem_binds_once(session: AsyncSession) -> None:
    code = await _invite(session)
    result = await _redeem(session, code)
    assert (result.unit, result.role, result.problem) == ("市交通运输局", ContactRole.CONTACT, None)
    identity = await identify(session, 42)
    assert [(b.unit_name, b.role) for b in identity.bindings] == [("市交通运输局", "contact")]
    assert identity.is_contact and not identity.is_staff
    again = await _redeem(session, code, user=43)
    assert again.problem is InviteProblem.USED
    assert await session.scalar(select(func.count()).select_from(Contact)) == 1


async def test_expired_revoked_and_unknown_codes_bind_nothing(session: AsyncSession) -> None:
    code = await _invite(session, days=1)
    assert (
        await _redeem(session, code, at=NOW + timedelta(days=2))
    ).problem is InviteProblem.EXPIRED
    assert (await _redeem(session, "nonsense")).problem is InviteProblem.UNKNOWN
    invite_id = await session.scalar(select(Invite.id))
    assert await revoke_invite(session, invite_id=invite_id, now=NOW, actor=CLI)
    assert (await _redeem(session, code)).problem is InviteProblem.REVOKED
    assert await session.scalar(select(func.count()).select_from(Contact)) == 0
    refused = await session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == "invite.refused")
    )
    assert refused == 3


async def test_brute_force_is_locked_out(session: AsyncSession) -> None:
    code = await _invite(session)
    for _ in range(MAX_FAILED_REDEEMS):
        await _redeem(session, "guess")
    assert (await _redeem(session, code)).problem is InviteProblem.LOCKED
    later = NOW + timedelta(minutes=11)
    assert (await _redeem(session, code, at=later)).problem is None


async def test_multi_use_and_principal(session: AsyncSession) -> None:
    code = await _invite(session, uses=2, role=ContactRole.PRINCIPAL)
    assert (await _redeem(session, code, user=1)).role is ContactRole.PRINCIPAL
    assert (await _redeem(session, code, user=2)).problem is None
    assert (await _redeem(session, code, user=3)).problem is InviteProblem.USED
    assert (await identify(session, 1)).is_principal


async def test_unbind_keeps_history(session: AsyncSession) -> None:
    await _redeem(session, await _invite(session))
    assert await unbind(session, user_id=42, unit_name=None, now=NOW, actor=CLI) == 1
    assert not (await identify(session, 42)).bindings
    contact = await session.scalar(select(Contact))
    assert contact is not None and not contact.active and contact.unbound_at == NOW


async def test_unknown_unit(session: AsyncSession) -> None:
    with pytest.raises(UnknownUnit):
        await create_invite(
            session,
            unit_name="不存在局",
            role=ContactRole.CONTACT,
            uses=1,
            days=1,
            now=NOW,
            actor=CLI,
        )


async def test_admin_ids_make_admins(session: AsyncSession) -> None:
    identity = await identify(session, 7, admin_ids=[7])
    assert identity.is_admin and identity.is_staff and identity.known
    assert not (await identify(session, 8, admin_ids=[7])).known


async def test_twenty_people_redeeming_one_single_use_code_at_once_bind_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Each redemption in its own transaction, all started together: exactly one binds (on
    PostgreSQL the conditional UPDATE re-checks `uses < max_uses` after the winner commits)."""
    async with transaction(session_factory) as session:
        code = await _invite(session)

    async def attempt(user: int) -> InviteProblem | None:
        async with transaction(session_factory) as session:
            return (await _redeem(session, code, user=user)).problem

    outcomes = await asyncio.gather(*(attempt(1000 + n) for n in range(20)))
    assert sorted(str(o) for o in outcomes) == ["None"] + [str(InviteProblem.USED)] * 19
    async with session_factory() as session:
        bound = await session.scalar(select(func.count()).select_from(Contact))
        uses = await session.scalar(select(Invite.uses))
    assert (bound, uses) == (1, 1)
