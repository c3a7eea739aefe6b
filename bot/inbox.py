"""The inbox worker: claim stored updates, handle them, record the outcome.

Rows are claimed in arrival order and handed to PTB's update processor (bot/updates.py:
chats in parallel, each chat in order). A claim is a lease, renewed while the row is being
handled; a process that dies leaves its rows to be reclaimed when the lease runs out, or at
once by the next process on the same host (its process id is gone). Outcomes: done; the
database failed (the user is told once, the row waits for the database without using up its
attempts); a handler failed (retried with backoff, parked as failed after MAX_ATTEMPTS).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram import Update

from bot import updates
from bot.context import BotApplication
from bot.intake import Unsaved
from ledger.vocab import InboxState
from services import inbox
from services.runtime import Runtime

log = logging.getLogger(__name__)
IDLE_POLL = 5.0  # seconds between looks at the table when nothing woke the worker
PRUNE_EVERY = 3600.0
STOP_GRACE = 10.0


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _dead_here(claimant: str, me: str) -> bool:
    """A claimant on this host whose process is gone (or a former process with our id)."""
    host, _, pid = claimant.rpartition("-")
    if claimant == me:
        return True
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class InboxWorker:
    def __init__(
        self,
        runtime: Runtime,
        application: BotApplication,
        unsaved: Unsaved,
        *,
        lease: timedelta = inbox.LEASE,
        capacity: int = updates.MAX_CONCURRENT_UPDATES,
    ) -> None:
        self.runtime, self.application, self.unsaved = runtime, application, unsaved
        self.lease, self.capacity = lease, capacity
        self.worker_id = worker_name()
        self._wake = asyncio.Event()
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False
        self._due: set[datetime] = set()  # when rows this worker put back become due
        self._done: set[int] = set()  # handled, not yet marked done
        self._trouble: str | None = None

    async def start(self) -> None:
        await self._guarded("releasing the claims of dead processes", self._release_dead)
        self._runner = asyncio.create_task(self._run(), name="inbox-worker")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Finish what is being handled (up to STOP_GRACE), give the rest back."""
        self._stopping = True
        self._wake.set()
        if self._runner is not None:
            await self._runner
        tasks = list(self._inflight.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._guarded("recording handled updates", partial(self._settle_and_claim, 0))
        await self._guarded("giving back claimed updates", self._release_mine)

    async def _run(self) -> None:
        renewed = pruned = time.monotonic()
        while not self._stopping:
            self._wake.clear()
            room = self.capacity - len(self._inflight)
            if not (room >= max(self.capacity // 2, 1) or (room and not self._inflight)):
                room = 0  # refill in batches, not one row per finished row
            claimed = 0
            if room or self._done:
                work = partial(self._settle_and_claim, room)
                claimed = await self._guarded("claiming updates", work) or 0
            now = time.monotonic()
            if now - renewed >= self.lease.total_seconds() / 3:
                renewed = now
                await self._guarded("renewing claims", self._renew)
            if now - pruned >= PRUNE_EVERY:
                pruned = now
                await self._guarded("pruning handled updates", self._prune)
            if claimed and claimed == room:
                continue  # more may be waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_wait())

    def _idle_wait(self) -> float:
        """Until the next row put back is due (else IDLE_POLL: rows of other processes and of
        `ledgerbot inbox retry` are found by looking)."""
        now = self.runtime.clock.now()
        self._due = {moment for moment in self._due if moment > now}
        if not self._due:
            return IDLE_POLL
        return min((min(self._due) - now).total_seconds() + 0.05, IDLE_POLL)

    async def _settle_and_claim(self, room: int) -> int:
        """One transaction: mark the rows handled since last time done, claim up to `room`."""
        done = list(self._done)
        async with self.runtime.session() as session:
            now = self.runtime.clock.now()
            await inbox.mark_done(session, done, now=now)
            rows = []
            if room:
                rows = await inbox.claim(
                    session, now=now, limit=room, worker_id=self.worker_id, lease=self.lease
                )
            work = [(row.id, row.update_id, row.payload) for row in rows]
        self._done.difference_update(done)
        for row_id, update_id, payload in work:
            task = asyncio.create_task(self._process(row_id, payload), name=f"update-{update_id}")
            self._inflight[row_id] = task
        return len(work)

    async def _process(self, row_id: int, payload: dict[str, Any]) -> None:
        try:
            error = await self._handle(payload)
            await self._guarded(
                "recording an outcome", lambda: self._settle(row_id, payload, error)
            )
        finally:
            self._inflight.pop(row_id, None)
            self._wake.set()

    async def _handle(self, payload: dict[str, Any]) -> BaseException | None:
        try:
            update = Update.de_json(payload, self.application.bot)
        except Exception as error:  # not an update PTB can read: a handler failure, parked
            return error
        outcome: list[BaseException | None] = [None]

        async def run() -> None:
            # The one seam: every unit of work of this update's handlers shares one session.
            async with self.runtime.shared_session():
                outcome[0] = await updates.handle(self.application, update)

        await self.application.update_processor.process_update(update, run())
        return outcome[0]

    async def _settle(
        self, row_id: int, payload: dict[str, Any], error: BaseException | None
    ) -> None:
        now = self.runtime.clock.now()
        update_id = payload.get("update_id")
        if error is None:
            self._done.add(row_id)  # recorded with the worker's next claim, in one statement
            return
        if inbox.is_storage_failure(error):
            self.unsaved.report([payload], error, retried="retrying when the database answers")
            async with self.runtime.session() as session:
                await inbox.mark_unsaved(session, row_id, error=inbox.short_error(error), now=now)
            self._due.add(now + inbox.STORAGE_RETRY)
            return
        async with self.runtime.session() as session:
            row = await inbox.mark_failed_attempt(
                session, row_id, error=inbox.short_error(error), now=now
            )
            state, due = (row.state, row.next_attempt_at) if row else (InboxState.DONE, now)
        if state == InboxState.FAILED:
            log.error(
                "error while handling update %s: parked as failed after %d attempts (%s); "
                "see `ledgerbot inbox --state failed`",
                update_id,
                inbox.MAX_ATTEMPTS,
                inbox.short_error(error),
                exc_info=error,
            )
        elif state == InboxState.PENDING:
            log.warning("error while handling update %s; will retry", update_id, exc_info=error)
            self._due.add(due)

    async def _renew(self) -> None:
        ids = list(self._inflight)
        if ids:
            async with self.runtime.session() as session:
                now = self.runtime.clock.now()
                await inbox.renew(session, ids, worker_id=self.worker_id, now=now)

    async def _prune(self) -> None:
        async with self.runtime.session() as session:
            await inbox.prune(session, before=self.runtime.clock.now() - inbox.KEEP_DONE)

    async def _release_dead(self) -> None:
        async with self.runtime.session() as session:
            for claimant in await inbox.claimants(session):
                if _dead_here(claimant, self.worker_id):
                    released = await inbox.release(session, worker_id=claimant)
                    log.info("took over %d update(s) left by %s", released, claimant)

    async def _release_mine(self) -> None:
        async with self.runtime.session() as session:
            await inbox.release(session, worker_id=self.worker_id)

    async def _guarded(self, doing: str, work: Any) -> Any:
        """Trouble while bookkeeping is logged (once per streak), never fatal: leases cover it."""
        try:
            result = await work()
        except Exception as error:
            if self._trouble != doing:
                self._trouble = doing
                if inbox.is_storage_failure(error):
                    log.warning("inbox: %s failed: %s", doing, inbox.short_error(error))
                else:
                    log.exception("inbox: %s failed", doing)
            await asyncio.sleep(1.0)  # do not spin while the database is in trouble
            return None
        if self._trouble == doing:
            self._trouble = None
            log.info("inbox: %s works again", doing)
        return result
