"""SQLite writers of one process take turns on one lock: each transaction begins only after
the one before it ended, and a turn not given within the busy timeout fails as SQLite's
"database is locked" does (a storage failure: the update is retried)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import db
from services.inbox import is_storage_failure


@pytest.fixture
def db_kind() -> str:
    return "sqlite"


async def test_transactions_take_turns(session_factory: async_sessionmaker[AsyncSession]) -> None:
    events: list[str] = []
    first_inside = asyncio.Event()

    async def writer(name: str, hold: asyncio.Event | None) -> None:
        async with db.transaction(session_factory) as session:
            events.append(f"{name} begins")
            if hold is not None:
                first_inside.set()
                await hold.wait()
            await session.execute(text("UPDATE status_revision SET value = value + 1"))
            events.append(f"{name} ends")

    release = asyncio.Event()
    first = asyncio.create_task(writer("first", release))
    await first_inside.wait()
    second = asyncio.create_task(writer("second", None))
    for _ in range(20):  # the second has every chance to begin, and must not
        await asyncio.sleep(0)
    assert events == ["first begins"]
    release.set()
    await asyncio.gather(first, second)
    assert events == ["first begins", "first ends", "second begins", "second ends"]


async def test_a_turn_not_given_in_time_is_a_locked_database(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    inside, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with db.transaction(session_factory):
            inside.set()
            await release.wait()

    held = asyncio.create_task(holder())
    await inside.wait()
    with pytest.raises(OperationalError, match="database is locked") as failed:
        async with db.transaction(session_factory):
            pass
    assert is_storage_failure(failed.value)
    release.set()
    await held
