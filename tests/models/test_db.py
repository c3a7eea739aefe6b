"""The database layer: SQLite settings, UTC instants, constraints that later features rely on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ledger.vocab import ContactRole, EntryState, EntryStatus
from models import AuditLog, Contact, OutboxMessage, ProgressEntry
from models.db import make_engine, make_session_factory, sqlite_path, transaction
from tests.factories import make_plan, make_task, make_unit


async def test_sqlite_pragmas(tmp_path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x' / 'new.db'}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000
        assert (tmp_path / "x" / "new.db").exists()  # folder and file created on first use
    finally:
        await engine.dispose()


def test_sqlite_path() -> None:
    assert str(sqlite_path("sqlite+aiosqlite:///data/ledgerbot.db")) == "data/ledgerbot.db"
    assert sqlite_path("sqlite+aiosqlite://") is None
    assert sqlite_path("postgresql+asyncpg://u@h/db") is None


async def test_instants_round_trip_as_utc(session: AsyncSession) -> None:
    shanghai = timezone(timedelta(hours=8))
    written = datetime(2023, 10, 8, 9, 0, tzinfo=shanghai)
    session.add(AuditLog(via="test", action="x", at=written, details={}))
    await session.commit()
    read = await session.scalar(select(AuditLog.at))
    assert read == written and read.tzinfo is not None and read.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    session.add(AuditLog(via="test", action="x", at=datetime(2023, 1, 1), details={}))
    with pytest.raises(Exception, match="naive datetime"):
        await session.flush()


async def test_outbox_key_is_unique(session: AsyncSession) -> None:
    now = datetime.now(UTC)
    for _ in range(2):
        session.add(
            OutboxMessage(
                kind="ledger-prompt",
                period="2023-03",
                recipient="user:1",
                chat_id=1,
                payload={},
                next_attempt_at=now,
            )
        )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_one_current_entry_per_task_unit_period(session: AsyncSession) -> None:
    unit = await make_unit(session, "市交通运输局")
    task = await make_task(session, await make_plan(session), 5, leads=[unit])

    def entry(version: int, current: bool) -> ProgressEntry:
        return ProgressEntry(
            task_id=task.id,
            unit_id=unit.id,
            period="2023-03",
            version=version,
            is_current=current,
            state=EntryState.APPROVED,
            status=EntryStatus.ON_TRACK,
        )

    session.add_all([entry(1, False), entry(2, True)])
    await session.flush()
    session.add(entry(3, True))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_foreign_keys_enforced(session: AsyncSession) -> None:
    session.add(Contact(telegram_user_id=1, unit_id=999, role=ContactRole.CONTACT))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_concurrent_writers_never_see_database_locked(
    db_kind: str, engine: AsyncEngine
) -> None:
    """Many read-then-write transactions at once: SQLite queues them instead of failing."""
    factories = [make_session_factory(engine)] + [
        make_session_factory(make_engine(str(engine.url.render_as_string(False)))) for _ in range(3)
    ]

    async def writer(factory: async_sessionmaker[AsyncSession], n: int) -> None:
        for i in range(10):
            async with transaction(factory) as session:
                count = await session.scalar(select(func.count()).select_from(AuditLog))
                session.add(AuditLog(via="test", action=f"w{n}-{i}", details={"seen": count}))

    await asyncio.gather(*(writer(f, n) for n, f in enumerate(factories * 2)))
    async with transaction(factories[0]) as session:
        assert await session.scalar(select(func.count()).select_from(AuditLog)) == 80
    for factory in factories[1:]:
        bind = factory.kw["bind"]
        await bind.dispose()
