"""Start-up catch-up on a real database: a crash in the middle of it loses no event."""

from __future__ import annotations

from datetime import datetime, timedelta

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
    monkeypatch.setattr(Clockwork, "_set_timer", lambda self, _: None)  # no JobQueue here
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


class Timers:
    """Records the timers the clockwork sets (the part of PTB's JobQueue it uses)."""

    def __init__(self) -> None:
        self.set: list[tuple[str, float]] = []

    def get_jobs_by_name(self, name: str) -> list[object]:
        return []

    def run_once(self, callback: object, when: float, name: str, data: str, **_: object) -> None:
        self.set.append((data, when))


class SlowClock(Clock):
    """A clock that a catch-up on a loaded machine sees jump 3 s between two readings."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.readings = 0

    def now(self) -> datetime:
        self.readings += 1
        return super().now() + timedelta(seconds=3 if self.readings > 1 else 0)


async def test_an_event_that_falls_due_while_catching_up_fires_at_once(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    """Found by the suite under load: the bot started at 08:59:58, its first catch-up saw
    nothing due yet, and by the time it set its timer 09:00 had passed, so the timer went to
    the next day's event and the prompt waited for the minute tick. The timer now starts
    from the window just caught up, so 09:00 is set at once (no delay)."""
    settings = Settings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
    clock = SlowClock(datetime.fromisoformat("2023-04-03T08:59:58+08:00"))
    runtime = Runtime(settings, engine, session_factory, clock)
    timers = Timers()
    worker = Clockwork(runtime, job_queue=timers, on_fired=lambda: None)  # type: ignore[arg-type]
    assert await worker.catch_up() == 0
    [(event, delay)] = timers.set
    assert event.startswith("ledger-prompts:2023-03") and delay == 0.0
