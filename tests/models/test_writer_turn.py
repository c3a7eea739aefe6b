"""SQLite writers of one process take turns on one lock: each transaction begins only after
the one before it ended, and a turn not given within the busy timeout fails as SQLite's
"database is locked" does (a storage failure: the update is retried). A read-only unit of work
takes no turn: it reads while a writer holds the lock, and may not change rows."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from ledger.clock import Clock
from models import TelegramUser, db
from services.inbox import is_storage_failure
from services.runtime import Runtime


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


def _runtime(factory: async_sessionmaker[AsyncSession]) -> Runtime:
    engine = factory.kw["bind"]
    return Runtime(Settings(database_url=str(engine.url)), engine, factory, Clock())


@pytest.mark.parametrize("shared", [False, True])
async def test_a_read_only_unit_reads_while_a_writer_holds_the_lock(
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    shared: bool,
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 50)  # a wrong wait fails, never hangs
    runtime = _runtime(session_factory)
    inside, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with runtime.session() as session:
            session.add(TelegramUser(telegram_user_id=7, failed_invites=0))
            await session.flush()  # SQLite's write lock is taken, and held until the commit
            inside.set()
            await release.wait()

    held = asyncio.create_task(writer())
    await inside.wait()
    async with contextlib.AsyncExitStack() as stack:
        if shared:
            await stack.enter_async_context(runtime.shared_session())
        async with runtime.session(read_only=True) as session:
            seen = await session.scalar(text("SELECT count(*) FROM telegram_users"))
    assert seen == 0  # the writer has not committed
    release.set()
    await held
    async with runtime.session(read_only=True) as session:
        assert await session.scalar(text("SELECT count(*) FROM telegram_users")) == 1


async def test_a_read_only_unit_may_not_change_rows(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    runtime = _runtime(session_factory)
    with pytest.raises(RuntimeError, match="read-only"):
        async with runtime.session(read_only=True) as session:
            session.add(TelegramUser(telegram_user_id=8, failed_invites=0))
    async with runtime.session(read_only=True) as session:
        assert await session.scalar(text("SELECT count(*) FROM telegram_users")) == 0
