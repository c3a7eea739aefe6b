"""API tokens: create (the token is returned once), list, revoke, and check a presented one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiToken
from services.audit import Actor, record

USE_RESOLUTION = timedelta(minutes=10)  # how exactly `last_used_at` is kept
PREFIX = "lbt_"  # recognisable in a leaked log or a secret scanner


class TokenRefused(Exception):
    """The name is taken or unknown; the message says which."""


@dataclass(frozen=True)
class TokenHolder:
    name: str
    can_write: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    session: AsyncSession, name: str, *, can_write: bool, now: datetime, actor: Actor
) -> str:
    """A new token named `name`; only its hash is stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenRefused("a token needs a name of 1-100 characters")
    if await session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenRefused(f"a token named {name!r} exists; revoke it or pick another name")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=digest(token), can_write=can_write, created_at=now))
    record(session, actor, "api_token.create", name, can_write=can_write)
    return token


async def listed(session: AsyncSession) -> list[ApiToken]:
    return list((await session.scalars(select(ApiToken).order_by(ApiToken.name))).all())


async def revoke(session: AsyncSession, name: str, *, now: datetime, actor: Actor) -> None:
    row = await session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise TokenRefused(f"no token named {name!r}; see `ledgerbot api-token list`")
    if row.revoked_at is None:
        row.revoked_at = now
        record(session, actor, "api_token.revoke", name)


async def holder(session: AsyncSession, token: str, *, now: datetime) -> TokenHolder | None:
    """Who presents `token`, if it is a live token (looked up by hash, then compared)."""
    wanted = digest(token)
    row = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == wanted, ApiToken.revoked_at.is_(None))
    )
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.last_used_at is None or now - row.last_used_at > USE_RESOLUTION:
        row.last_used_at = now  # not on every request: reads stay reads
    return TokenHolder(row.name, row.can_write)
