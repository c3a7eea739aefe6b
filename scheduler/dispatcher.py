"""Sends outbox rows through the Bot API within Telegram's flood limits.

The dispatcher claims due rows in small batches, keeps them in per-chat queues, and starts a
send whenever `Pacer` says both the bot and that chat have budget; sends run concurrently
(up to ``concurrency``) so network latency does not cap throughput. Telegram's limits are per
bot token, so with several replicas only the one holding the dispatch lock
(scheduler.dispatch_lock) claims rows: one pacer spends the whole budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError, TimedOut

from ledger.vocab import OutboxState
from models.db import transaction
from scheduler.dispatch_lock import DispatchLock
from scheduler.pacing import DispatchLimits, Pacer
from scheduler.sending import Job, WireGate, describe, not_sent, retry_seconds, send_payload
from services import log_context, metrics, outbox, outbox_chats

log = logging.getLogger(__name__)
ForbiddenHook = Callable[[int, str], Awaitable[None]]  # (chat_id, description)
MigratedHook = Callable[[int, int], Awaitable[None]]  # (old_chat_id, new_chat_id)
__all__ = ["DispatchLimits", "Dispatcher", "ForbiddenHook", "MigratedHook"]


class Dispatcher:
    """One worker draining the outbox; several may share a database."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        *,
        worker_id: str,
        clock_now: Callable[[], datetime],
        on_forbidden: ForbiddenHook | None = None,
        on_migrated: MigratedHook | None = None,
        limits: DispatchLimits | None = None,
        lock: DispatchLock | None = None,
    ) -> None:
        self._factory, self._bot, self.worker_id = session_factory, bot, worker_id
        self._lock = lock
        self._now = clock_now
        self._on_forbidden = on_forbidden or self._mark_unreachable
        self._on_migrated = on_migrated
        self.limits = limits or DispatchLimits()
        self._lease = self.limits.lease
        self._pacer = Pacer(self.limits.pacing)
        self._gate = WireGate(self._pacer)  # sends wait there as they leave (request_hooks)
        self._queues: dict[int, deque[Job]] = {}
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._event = asyncio.Event()
        self._fetch_now, self._next_fetch, self._stopping = True, 0.0, False
        self._runner: asyncio.Task[None] | None = None
        self._fetching: asyncio.Task[None] | None = None
        self._random = random.Random()

    # --- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        await self._bot.initialize()
        self._stopping = False
        self._runner = asyncio.create_task(self._run(), name=f"dispatcher-{self.worker_id}")

    async def stop(self) -> None:
        """Finish in-flight sends, hand unsent claimed rows back, then return."""
        if self._runner is None:
            return
        self._stopping = True  # a flag, not cancel(): 3.11's wait_for can swallow a cancel
        self._event.set()
        await self._runner
        self._runner = None
        await asyncio.gather(*self._tasks, *filter(None, [self._fetching]), return_exceptions=True)
        await self._release_queued()
        if self._lock is not None:
            await self._lock.release()

    async def _release_queued(self) -> None:
        await self._release([(job, 0.0) for queue in self._queues.values() for job in queue])
        self._queues.clear()

    def wake(self) -> None:
        """New rows were enqueued: claim now instead of at the next poll."""
        self._fetch_now = True
        self._event.set()

    async def drain(self, timeout: float) -> bool:  # noqa: ASYNC109 (a budget, not a cancel)
        """Wait until no open row is due within ``timeout``; True if the outbox emptied."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            idle = not (self._queues or self._tasks or self._fetching)
            if idle and not await self._open_rows(deadline):
                return True
            self.wake()
            await asyncio.sleep(0.05)
        return False

    async def _open_rows(self, deadline: float) -> int:
        horizon = self._now() + timedelta(seconds=deadline - asyncio.get_running_loop().time())
        async with self._factory() as session:
            return await outbox.count_open(session, due_by=horizon)

    # --- scheduling -----------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            now = loop.time()
            if (self._fetch_now or now >= self._next_fetch) and self._fetching is None:
                self._fetch_now, self._next_fetch = False, now + self.limits.poll_interval
                self._fetching = asyncio.create_task(self._fetch(now))  # sends go on meanwhile
            chat_id, at = self._pacer.soonest((c for c in self._queues if c not in self._busy), now)
            if chat_id is None or at > now:
                # A claim under way sets the event when it ends (an overdue fetch would spin)
                fetch_in = self._next_fetch - now if self._fetching is None else float("inf")
                wait = min(at - now, fetch_in) if chat_id is not None else fetch_in
                await self._idle(min(wait, self.limits.poll_interval))
                continue
            await self._slots.acquire()
            if self._stopping:
                self._slots.release()
                break
            now, queue = loop.time(), self._queues.get(chat_id)
            if queue is None or chat_id in self._busy or self._pacer.ready_at(chat_id, now) > now:
                self._slots.release()  # released, migrated or paused while we waited
                continue
            self._pacer.take(chat_id, now)
            job = queue.popleft()
            if not queue:
                del self._queues[chat_id]
            self._busy.add(chat_id)
            task = asyncio.create_task(self._send(job))
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        """A send that died outside Telegram's errors leaves its row to the lease: say so."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("send failed; row left to its lease", exc_info=task.exception())

    async def _idle(self, seconds: float) -> None:
        self._event.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, seconds)):
                await self._event.wait()

    async def _fetch(self, now: float) -> None:
        try:
            await self._claim(now)
        except (SQLAlchemyError, OSError):
            log.exception("claiming due rows failed; retrying at the next poll")
        finally:
            self._fetching = None
            self._event.set()

    async def _claim(self, now: float) -> None:
        if self._lock is not None:
            if not await self._lock.held():
                await self._release_queued()  # another replica dispatches: it paces the bot
                return
            self._pacer.took_over(self._lock.taken_at)  # the last holder's sends still count
        room = self.limits.batch - sum(len(q) for q in self._queues.values())
        if (
            room < self.limits.batch // 2
            or self._pacer.global_ready_at(now) > now + self.limits.hold
        ):
            return
        async with transaction(self._factory) as session:
            rows = await outbox.claim_due(
                session, now=self._now(), limit=room, worker_id=self.worker_id, lease=self._lease
            )
        for row in rows:
            job = Job(row.id, row.chat_id, row.payload, row.attempts, row.kind, row.period)
            self._queues.setdefault(row.chat_id, deque()).append(job)
        if len(rows) == room:
            self._fetch_now = True
        await self._release_far(asyncio.get_running_loop().time())

    async def _release_far(self, now: float) -> None:
        """Rows that cannot go within ``hold`` (their chat is paced or paused) go back to
        the table, due when they may; otherwise one busy chat would fill the batch."""
        far: list[tuple[Job, float]] = []
        spacing = 1.0 / self.limits.pacing.private_per_second
        for chat_id, queue in list(self._queues.items()):
            head = self._pacer.ready_at(chat_id, now) - now
            keep = 0 if head > self.limits.hold else int((self.limits.hold - head) / spacing) + 1
            while len(queue) > keep:
                far.append((queue.pop(), head + len(queue) * spacing))
            if not queue:
                del self._queues[chat_id]
        await self._release(far)

    async def _release(self, jobs: list[tuple[Job, float]]) -> None:
        if not jobs:
            return
        start = self._now()
        async with transaction(self._factory) as session:
            for job, wait in jobs:
                await outbox.release(
                    session, job.row_id, next_attempt_at=start + timedelta(0, wait)
                )

    def _requeue(self, job: Job) -> None:
        self._queues.setdefault(job.chat_id, deque()).appendleft(job)

    # --- sending --------------------------------------------------------------------
    async def _send(self, job: Job) -> None:
        fields = {"outbox_id": job.row_id, "outbox_kind": job.kind, "period": job.period}
        with log_context.scope(chat_id=job.chat_id, **fields):
            await self._send_in_context(job)

    async def _send_in_context(self, job: Job) -> None:
        started, chat_id = asyncio.get_running_loop().time(), job.chat_id  # a migration moves job
        try:
            try:
                message_id = await send_payload(
                    self._bot, job.chat_id, job.payload, self.limits.send_timeout, self._gate
                )
            finally:
                metrics.SEND_LATENCY.observe(asyncio.get_running_loop().time() - started)
                self._slots.release()
        except TelegramError as exc:
            await self._failed_send(job, exc)
        else:
            async with transaction(self._factory) as session:
                await outbox.mark_sent(session, job.row_id, message_id=message_id, at=self._now())
            metrics.OUTBOX_SENT.labels(job.kind).inc()
            log.debug("sent outbox row %s", job.row_id)
        finally:  # busy until the outcome is handled: a queued row never follows a failed one early
            self._busy.discard(chat_id)
            self._event.set()

    async def _failed_send(self, job: Job, exc: TelegramError) -> None:
        error = describe(exc)
        log.info("send of outbox row %s failed: %s", job.row_id, error)
        if isinstance(exc, RetryAfter):
            metrics.SEND_RETRIES.labels("rate_limited").inc()
            now = asyncio.get_running_loop().time()
            if self._pacer.retry_after(job.chat_id, retry_seconds(exc), now):
                log.warning("429 from several chats: pausing all sends (%s)", exc)
            self._requeue(job)
            await self._release_far(now)
        elif isinstance(exc, ChatMigrated):
            await self._migrate(job, int(exc.new_chat_id))
        elif isinstance(exc, Forbidden | BadRequest):
            await self._settle(job, OutboxState.FAILED, error)
            if isinstance(exc, Forbidden):
                await self._on_forbidden(job.chat_id, exc.message)
        elif isinstance(exc, TimedOut) and not_sent(exc):
            metrics.SEND_RETRIES.labels("not_sent").inc()
            self._requeue(job)
        elif job.attempts >= self.limits.max_attempts:
            await self._settle(job, OutboxState.FAILED, f"gave up after {job.attempts}: {error}")
        else:
            unknown = isinstance(exc, TimedOut)
            metrics.SEND_RETRIES.labels("unknown_outcome" if unknown else "transient").inc()
            await self._settle(job, OutboxState.UNKNOWN if unknown else OutboxState.PENDING, error)

    async def _settle(self, job: Job, state: OutboxState, error: str) -> None:
        delay = self.limits.retry_delay(job.attempts, jitter=self._random.random())
        due = self._now() + timedelta(seconds=delay)
        async with transaction(self._factory) as session:
            await outbox.settle(session, job.row_id, state, error=error, next_attempt_at=due)
        if state != OutboxState.FAILED:
            self._next_fetch = min(self._next_fetch, asyncio.get_running_loop().time() + delay)

    async def _migrate(self, job: Job, new_chat_id: int) -> None:
        """Follow a group that became a supergroup, then resend at once to the new id."""
        old = job.chat_id
        async with transaction(self._factory) as session:
            await outbox_chats.reroute_chat(session, old_chat_id=old, new_chat_id=new_chat_id)
        moved = [job, *self._queues.pop(old, ())]
        for queued in reversed(moved):
            queued.chat_id = new_chat_id
            self._requeue(queued)
        self._pacer.forget(old)
        if self._on_migrated is not None:
            await self._on_migrated(old, new_chat_id)

    async def _mark_unreachable(self, chat_id: int, why: str) -> None:
        """Default 403 hook: flag the contacts and enqueue a notice to every staff member."""
        async with transaction(self._factory) as session:
            at = self._now()
            await outbox_chats.mark_unreachable(session, chat_id=chat_id, description=why, at=at)
        self.wake()
