"""The seam behind "one session per update": inside `shared_session()` every unit of work runs
on the one session, each its own transaction; outside it each unit opens its own. Real SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config import Settings
from ledger.clock import Clock
from services import conversations
from services.runtime import Runtime
from tests.services.test_metrics import sample

NOON = datetime(2023, 4, 3, 4, 0, tzinfo=UTC)
OPENED = "ledgerbot_db_sessions_total"


class Refused(Exception):
    pass


def _runtime(engine: AsyncEngine, factory: async_sessionmaker[AsyncSession]) -> Runtime:
    return Runtime(Settings(database_url=str(engine.url)), engine, factory, Clock(NOON))


async def _save(session: AsyncSession, user_id: int, step: str) -> None:
    await conversations.save(
        session, user_id=user_id, chat_id=user_id, flow="report", data={"step": step}, now=NOON
    )


async def _steps(runtime: Runtime, *user_ids: int) -> list[str | None]:
    async with runtime.session() as session:
        states = [await conversations.load(session, u) for u in user_ids]
    return [s.data["step"] if s else None for s in states]


async def test_an_update_opens_one_session_and_commits_each_unit(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    runtime = _runtime(engine, session_factory)
    before = sample(OPENED)
    async with runtime.shared_session() as shared:
        async with runtime.session() as first:  # who is writing (the access check)
            await _save(first, 1, "status")
        async with runtime.session() as second:  # the handler's own work
            async with runtime.session() as inner:  # a unit inside a unit joins it
                assert inner is second
            await _save(second, 2, "progress")
        with pytest.raises(Refused):
            async with runtime.session() as third:  # refused half way: only this is undone
                await _save(third, 3, "confirm")
                raise Refused
        assert first is second is third is shared
    assert sample(OPENED) - before == 1
    assert await _steps(runtime, 1, 2, 3) == ["status", "progress", None]
    assert sample(OPENED) - before == 2  # the check above is a unit of its own


async def test_concurrent_updates_do_not_share_a_session(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    runtime = _runtime(engine, session_factory)
    seen: list[AsyncSession] = []

    async def update(user_id: int) -> None:
        async with runtime.shared_session(), runtime.session() as session:
            seen.append(session)
            await _save(session, user_id, "status")

    await asyncio.gather(update(1), update(2))  # two chats' updates at once
    assert seen[0] is not seen[1]
    assert await _steps(runtime, 1, 2) == ["status", "status"]
