"""The dispatch lock: one holder per database at a time, handed over at release (a PostgreSQL
advisory lock; on SQLite a flock beside the file)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from ledger.vocab import OutboxState
from models import OutboxMessage
from models.db import make_engine
from scheduler.dispatch_lock import DispatchLock


async def test_one_holder_at_a_time_and_hand_over(engine: AsyncEngine, db_url: str) -> None:
    other_engine = make_engine(db_url)  # a second replica: its own engine, its own connections
    first, second = DispatchLock(engine), DispatchLock(other_engine)
    try:
        assert await first.held() is True
        assert first.taken_at is None  # taken from no one: nothing to wait for
        assert await second.held() is False
        assert second.taken_at is None
        assert await first.held() is True  # still held: asking again does not lose it
        await first.release()
        assert first.taken_at is None
        before = asyncio.get_running_loop().time()
        assert await second.held() is True
        # refused before, so it took over from a holder that was sending until just now
        assert second.taken_at is not None and second.taken_at >= before
        assert await first.held() is False
    finally:
        await first.release()
        await second.release()
        await other_engine.dispose()


async def test_an_in_memory_database_always_dispatches() -> None:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert await DispatchLock(engine).held() is True
    finally:
        await engine.dispose()


async def test_a_first_take_waits_only_for_rows_left_sending(
    engine: AsyncEngine, db_url: str
) -> None:
    """A holder that died mid-send leaves rows `sending`: whoever takes the lock next, even at
    its first ask, waits out the second in which those sends may have left."""
    now = datetime(2023, 3, 1, 1, 0, tzinfo=UTC)
    async with async_sessionmaker(engine)() as session, session.begin():
        session.add(
            OutboxMessage(
                kind="prompt",
                period="2023-03",
                recipient="1",
                chat_id=1,
                payload={},
                state=OutboxState.SENDING,
                next_attempt_at=now,
                claimed_by="dead",
                claimed_at=now,
            )
        )
    lock = DispatchLock(engine)
    try:
        before = asyncio.get_running_loop().time()
        assert await lock.held() is True
        assert lock.taken_at is not None and lock.taken_at >= before
    finally:
        await lock.release()
