"""Engine and session factory: one engine per process, one session per unit of work.

SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for every transaction
(SQLAlchemy's documented recipe), so a transaction that reads then writes waits for the
lock instead of failing with "database is locked". The exceptions: a unit of work marked
read-only begins deferred, and within a process writers take turns (`writer_turn`).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option of a unit of work that only reads (services.runtime: `session(read_only=True)`).
READ_ONLY_OPTION = "ledgerbot_read_only"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-only unit begins deferred: in WAL it never waits for, nor holds, the write lock.
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the process's engine; creates the SQLite file's folder on first use."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session whose work commits on success and rolls back on any error."""
    async with factory() as session, writer_turn(session), session.begin():
        yield session


_turns: weakref.WeakKeyDictionary[Engine, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def writer_turn(session: AsyncSession) -> AsyncIterator[None]:
    """On SQLite, hold this before BEGIN IMMEDIATE: the process's transactions take turns here.

    Left to SQLite, a transaction waiting for the write lock sleeps in its busy handler in steps
    growing to 100 ms, so under concurrent updates the lock sat free while waiters slept. Here
    the next one starts the moment the lock is released (other processes still meet SQLite's
    busy timeout). Waiting longer than that timeout fails as SQLite would: "database is locked"."""
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return
    loop = asyncio.get_running_loop()
    kept = _turns.get(engine)
    if kept is None or kept[0] is not loop:  # a lock serves one event loop
        kept = _turns[engine] = (loop, asyncio.Lock())
    lock = kept[1]
    try:
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
            await lock.acquire()
    except TimeoutError:
        raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked")) from None
    try:
        yield
    finally:
        lock.release()


@asynccontextmanager
async def migration_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection to migrate with; the caller commits.

    On SQLite, Alembic's batch mode alters a table by copying it and dropping the original; with
    foreign keys enforced, that drop would cascade into every table referencing it (recreating
    `plans` would delete every task and entry). So keys are off while migrating, as Alembic's
    documentation advises, and checked before they are turned on again.
    """
    async with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            yield connection
            return
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute("PRAGMA foreign_keys=OFF")  # no transaction yet: takes effect
        try:
            yield connection
            problems = await (await raw.execute("PRAGMA foreign_key_check")).fetchall()
            if problems:
                raise RuntimeError(f"migration left {len(problems)} broken foreign keys")
        finally:
            await raw.execute("PRAGMA foreign_keys=ON")
