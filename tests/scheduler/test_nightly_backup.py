"""When the nightly backup runs, and that it stays off unless asked for (and on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ApplicationBuilder

from config import Settings
from ledger.clock import Clock
from scheduler.backups import JOB_NAME, next_run, schedule_nightly_backup
from services.runtime import Runtime


def runtime(engine: Any, factory: Any, at: str, **settings: Any) -> Runtime:
    return Runtime(
        Settings(database_url=str(engine.url), **settings),
        engine,
        factory,
        Clock(datetime.fromisoformat(at)),
    )


async def test_next_run_is_the_next_backup_time_in_shanghai(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = runtime(engine, session_factory, "2023-04-04T02:59:00+08:00")
    at = lambda text: datetime.fromisoformat(text)  # noqa: E731
    assert next_run(at("2023-04-04T02:59:00+08:00"), world) == at("2023-04-04T03:00:00+08:00")
    assert next_run(at("2023-04-04T03:00:00+08:00"), world) == at("2023-04-05T03:00:00+08:00")
    # 20:00 UTC on the 3rd is 04:00 on the 4th in Shanghai: the next one is on the 5th
    assert next_run(at("2023-04-03T20:00:00+00:00"), world) == at("2023-04-05T03:00:00+08:00")


async def test_scheduled_only_when_a_folder_is_set_and_the_database_is_sqlite(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    job_queue = ApplicationBuilder().token("1:x").build().job_queue
    assert job_queue is not None
    off = runtime(engine, session_factory, "2023-04-04T01:00:00+08:00")
    assert schedule_nightly_backup(off, job_queue) is None
    on = runtime(engine, session_factory, "2023-04-04T01:00:00+08:00", backup_dir=tmp_path)
    when = schedule_nightly_backup(on, job_queue)
    if on.settings.is_sqlite:
        assert when == datetime.fromisoformat("2023-04-04T03:00:00+08:00")
        assert len(job_queue.get_jobs_by_name(JOB_NAME)) == 1
    else:  # PostgreSQL: pg_dump's job, said once in the log
        assert when is None
        assert job_queue.get_jobs_by_name(JOB_NAME) == ()
