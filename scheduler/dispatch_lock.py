"""One dispatching replica per database: Telegram's flood limits are per bot token.

Every replica runs a dispatcher, but only the one holding the dispatch lock claims outbox
rows, so the bot's whole budget (``LEDGERBOT_SEND_PER_SECOND``) is spent by one pacer. On
PostgreSQL the lock is a session-level advisory lock on a connection the holder keeps open:
when the holder dies (even by SIGKILL) its connection closes, the server releases the lock,
and the next replica to ask — each asks at every poll, once a second — takes over. Rows the
dead holder had claimed come back when their lease runs out. On SQLite (processes on one host)
the lock is an exclusive ``flock`` on a file beside the database, which the kernel releases
when its holder dies; an in-memory database has one process, which always holds it. A new
holder that took over from a live one waits one second of Telegram's window (``taken_at``, see
``Pacer.took_over``): the last holder's final sends still count there. A process that got the
lock at its first ask, with no row left being sent, took it from no one and does not wait.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os

from sqlalchemy import exists, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger.vocab import OutboxState
from models import OutboxMessage
from models.db import sqlite_path

log = logging.getLogger(__name__)
DISPATCH_LOCK_KEY = 0x1ED6_E7B0_7D15  # any fixed 64-bit number: "ledgerbot dispatch"


class DispatchLock:
    def __init__(self, engine: AsyncEngine, key: int = DISPATCH_LOCK_KEY) -> None:
        self._engine, self._key = engine, key
        self._connection: AsyncConnection | None = None
        self._shared = engine.dialect.name == "postgresql"
        path = sqlite_path(str(engine.url))
        self._file_path = path.with_name(path.name + ".dispatch-lock") if path else None
        self._file: int | None = None
        self.taken_at: float | None = None  # event-loop time it took over from a live holder
        self._refused = False  # asked and refused: another process held the lock

    async def held(self) -> bool:
        """True if this process may dispatch now: it holds the lock, or has just taken it."""
        if not self._shared:
            if self._file_path is None or self._file is not None:
                return True
            if not self._flock():
                return False
            await self._note_take()
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))  # still ours?
                await self._connection.commit()
                return True
            except (SQLAlchemyError, OSError) as error:
                log.warning("lost the dispatch lock (its connection failed: %s)", error)
                await self._close()
                return False
        return await self._try_take()

    async def _try_take(self) -> bool:
        try:
            connection = await self._engine.connect()
        except (SQLAlchemyError, OSError):
            return False
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except (SQLAlchemyError, OSError):
            await connection.close()
            return False
        if not taken:
            self._refused = True
            await connection.close()
            return False
        self._connection = connection
        await self._note_take()
        log.info("this replica now dispatches the outbox (it holds the dispatch lock)")
        return True

    async def _note_take(self) -> None:
        """Say when this process took over, if the last holder may have sent within the second
        before: it was waited for (this process had been refused), or it left rows `sending`."""
        at, busy = asyncio.get_running_loop().time(), self._refused
        if not busy:
            try:
                async with self._engine.connect() as connection:
                    sending = OutboxMessage.state == OutboxState.SENDING
                    busy = bool(await connection.scalar(select(exists().where(sending))))
            except (SQLAlchemyError, OSError):
                busy = True  # cannot tell: wait, as after a live holder
        self.taken_at = at if busy else None

    def _flock(self) -> bool:
        assert self._file_path is not None
        try:
            handle = os.open(self._file_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as error:  # no lock file, no coordination: one process is assumed
            log.warning("cannot open the dispatch lock %s: %s", self._file_path, error)
            return True
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            self._refused = True
            return False
        self._file = handle
        log.info("this process now dispatches the outbox (it holds the dispatch lock)")
        return True

    async def release(self) -> None:
        """Hand the lock over at a clean stop (a crash hands it over by closing)."""
        self.taken_at = None
        if self._file is not None:
            os.close(self._file)  # closing drops the flock
            self._file = None
        if self._connection is None:
            return
        try:
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
            await self._connection.commit()
        except (SQLAlchemyError, OSError):
            pass  # closing the connection below releases it anyway
        await self._close()

    async def _close(self) -> None:
        connection, self._connection, self.taken_at = self._connection, None, None
        if connection is not None:
            try:
                await connection.close()
            except (SQLAlchemyError, OSError):
                log.debug("closing the dispatch lock's connection failed", exc_info=True)
