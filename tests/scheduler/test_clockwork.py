"""Start-up catch-up on a real database: a crash in the middle of it loses no event."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config import Settings
from ledger.clock import Clock
from ledger.timetable import EventKind
from models import JobRun
from scheduler import clockwork
from scheduler.clockwork import Clockwork
from services.runtime import Runtime


class Crash(Exception):
    """Stands for the process dying in the middle of the catch-up."""


def make_clockwork(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], db_url: str, at: str
) -> Clockwork:
    settings = Settings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
    runtime = Runtime(settings, engine, factory, Clock(datetime.fromisoformat(at)))
    return Clockwork(runtime, job_queue=None, on_fired=lambda: None)  # type: ignore[arg-type]


async def fired_keys(factory: async_sessionmaker[AsyncSession]) -> set[tuple[str, str]]:
    async with factory() as session:
        return {(kind, key) for kind, key in await session.execute(select(JobRun.kind, JobRun.key))}


async def test_a_crash_in_the_first_catch_up_loses_no_event(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by the month campaign: on a fresh database the first catch-up wrote its
    heartbeat only at its end, so a SIGKILL while it fired 09:00's events left no heartbeat,
    and the next start watched from its own "now": the Monday digest was never sent."""
    real_fire = clockwork.fire

    async def dies_at_the_digest(kind: EventKind, key: str, **kw: object) -> int:
        if kind == EventKind.DIGESTS:
            raise Crash
        return await real_fire(kind, key, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(clockwork, "fire", dies_at_the_digest)
    monkeypatch.setattr(Clockwork, "_set_timer", lambda self: None)  # no JobQueue here
    # half a second before nine: the catch-up looks a second ahead, so 09:00's events are due
    first = make_clockwork(engine, session_factory, db_url, "2023-04-03T08:59:59.5+08:00")
    with pytest.raises(Crash):
        await first.catch_up()
    assert ("ledger-prompts", "2023-03") in await fired_keys(session_factory)
    assert ("digests", "2023-04-03") not in await fired_keys(session_factory)

    monkeypatch.setattr(clockwork, "fire", real_fire)
    again = make_clockwork(engine, session_factory, db_url, "2023-04-03T09:00:40+08:00")
    assert await again.catch_up() == 1  # the digest, and nothing twice
    assert ("digests", "2023-04-03") in await fired_keys(session_factory)
