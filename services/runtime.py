"""What every handler and job needs, built once per process by the composition root."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config import Settings
from ledger.clock import Clock
from ledger.timetable import AsOf
from models.db import READ_ONLY_OPTION, transaction, writer_turn
from services import metrics

# The session of the piece of work under way in this task (one incoming update), if any.
_shared: ContextVar[AsyncSession | None] = ContextVar("shared_session", default=None)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    staff_menus: set[int] = field(default_factory=set)  # staff whose command menu is set
    app_menus: set[int] = field(default_factory=set)  # users whose Mini App menu button is set
    # Called after a commit that queued outbox rows: the dispatcher claims them at once.
    wake_dispatcher: Callable[[], None] = field(default=lambda: None)

    @asynccontextmanager
    async def session(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction per unit of work: commit on success, roll back on error.

        Inside `shared_session()` the units run on its one session, each still its own short
        transaction, so no lock is held while Telegram is being called between them. A
        `read_only` unit must not write: on SQLite it neither waits for nor holds the write
        lock (other units of the process go on meanwhile)."""
        shared = _shared.get()
        if shared is not None and shared.in_transaction():  # a unit inside a unit: part of it
            yield shared
            return
        if read_only:
            async with self._reading(shared) as session:
                yield session
            return
        if shared is None:
            metrics.SESSIONS_OPENED.inc()
            async with transaction(self.session_factory) as session:
                yield session
        else:
            async with writer_turn(shared), shared.begin():
                yield shared

    @asynccontextmanager
    async def _reading(self, shared: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        async with contextlib.AsyncExitStack() as stack:
            if shared is None:
                metrics.SESSIONS_OPENED.inc()
                shared = await stack.enter_async_context(self.session_factory())
            await stack.enter_async_context(shared.begin())
            await shared.connection(execution_options={READ_ONLY_OPTION: True})
            yield shared
            if shared.new or shared.dirty or shared.deleted:
                raise RuntimeError("a read-only unit of work changed rows")

    @asynccontextmanager
    async def shared_session(self) -> AsyncIterator[AsyncSession]:
        """One session for everything done until the block ends (an update's handling)."""
        metrics.SESSIONS_OPENED.inc()
        async with self.session_factory() as session:
            token = _shared.set(session)
            try:
                yield session
            finally:
                _shared.reset(token)

    def as_of(self) -> AsOf:
        """Now, in the bureau's calendar: what every read of the ledger of record takes."""
        return AsOf(now=self.clock.now(), rules=self.settings.calendar_rules(), tz=self.settings.tz)
