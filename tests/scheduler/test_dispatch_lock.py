"""The dispatch lock: one holder per database at a time, handed over at release (a PostgreSQL
advisory lock; on SQLite a flock beside the file)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import make_engine
from scheduler.dispatch_lock import DispatchLock


async def test_one_holder_at_a_time_and_hand_over(engine: AsyncEngine, db_url: str) -> None:
    other_engine = make_engine(db_url)  # a second replica: its own engine, its own connections
    first, second = DispatchLock(engine), DispatchLock(other_engine)
    try:
        assert await first.held() is True
        taken = first.taken_at
        assert taken is not None
        assert await second.held() is False
        assert second.taken_at is None
        assert await first.held() is True  # still held: asking again does not lose it
        assert first.taken_at == taken  # nor does it take it anew
        await first.release()
        assert first.taken_at is None
        assert await second.held() is True
        assert second.taken_at is not None and second.taken_at >= taken
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
