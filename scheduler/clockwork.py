"""Wire the calendar into PTB's JobQueue (the one APScheduler) and catch up after downtime.

Nothing depends on the scheduler having been awake: on every wake-up it asks the calendar
for the events between the last time it was alive (a heartbeat row) and now, fires the ones
without a JobRun, and sets a timer for the next event. A minute tick repeats the catch-up,
so a lost timer or a clock jump costs at most a minute.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from telegram.ext import ContextTypes, JobQueue

from ledger.timetable import Event, events_between, next_event
from models import JobRun
from scheduler.acknowledgements import remind_acknowledgements
from scheduler.backups import schedule_nightly_backup
from scheduler.jobs import fire, has_run, mark_run, run_key
from scheduler.principal_reminders import remind_principals
from services import log_context, metrics
from services.runtime import Runtime

log = logging.getLogger(__name__)
HEARTBEAT = ("scheduler", "heartbeat")
LOOKBACK = timedelta(days=45)  # a longer outage restarts from here, not from the beginning
TICK_SECONDS = 60
JOB_KWARGS = {"misfire_grace_time": 3600, "coalesce": True}


class Clockwork:
    """Catch-up plus timers; `on_fired` (e.g. the dispatcher's wake) runs after new rows."""

    def __init__(self, runtime: Runtime, job_queue: JobQueue[Any], on_fired: Any) -> None:
        self.runtime, self.job_queue, self.on_fired = runtime, job_queue, on_fired
        self.last_beat: float | None = None  # time.monotonic() of the last catch-up (/healthz)

    async def start(self) -> None:
        await self.catch_up()
        schedule_nightly_backup(self.runtime, self.job_queue)
        self.job_queue.run_repeating(
            self._tick,
            interval=TICK_SECONDS,
            first=TICK_SECONDS,
            name="scheduler-tick",
            job_kwargs=JOB_KWARGS,
        )

    async def catch_up(self) -> int:
        """Fire every due event that has no JobRun yet; returns how many fired."""
        runtime = self.runtime
        now = runtime.clock.now()
        heartbeat = await self._heartbeat()
        if heartbeat is None:  # a fresh database watches from now on, and records it first:
            await self._beat(now)  # a crash in this first catch-up must not skip its events
        since = max(heartbeat or now, now - LOOKBACK)
        settings = runtime.settings
        fired = 0
        for event in events_between(
            since, now + timedelta(seconds=1), settings.calendar_rules(), settings.tz
        ):
            if await self._done(event):
                continue
            with log_context.scope(period=event.key):
                queued = await fire(
                    event.kind,
                    event.key,
                    session_factory=runtime.session_factory,
                    settings=settings,
                    now=runtime.clock.now(),
                    scheduled_for=event.fire_at_utc,
                )
                metrics.scheduler_fired(event.kind, event.fire_at_utc, runtime.clock.now())
                log.info("fired %s (%d new messages)", event.id, queued)
            fired += 1
            if queued:
                self.on_fired()
        if await remind_acknowledgements(runtime.session_factory, settings, now):
            self.on_fired()  # 签收 reminders: not calendar events, checked on every pass
        if await remind_principals(runtime.session_factory, settings, now):
            self.on_fired()  # the principals' 待办提醒 the day before a deadline: the same
        await self._beat(now)
        self.last_beat = time.monotonic()
        self._set_timer(now)
        return fired

    async def _done(self, event: Event) -> bool:
        key = run_key(event.kind, event.key, event.fire_at.date())
        async with self.runtime.session() as session:
            return await has_run(session, event.kind, key)

    async def _heartbeat(self) -> datetime | None:
        async with self.runtime.session() as session:
            return await session.scalar(
                select(JobRun.scheduled_for).where(
                    JobRun.kind == HEARTBEAT[0], JobRun.key == HEARTBEAT[1]
                )
            )

    async def _beat(self, now: datetime) -> None:
        async with self.runtime.session() as session:
            row = await session.get(JobRun, HEARTBEAT)
            if row is None:
                await mark_run(session, *HEARTBEAT, now, now, "scheduler")
            else:
                row.scheduled_for = row.fired_at = now

    def _set_timer(self, caught_up_to: datetime) -> None:
        """A timer for the first event after the window just caught up (one that fell due while
        catching up fires at once, not a minute later at the tick)."""
        settings, clock = self.runtime.settings, self.runtime.clock
        upcoming = next_event(
            caught_up_to + timedelta(seconds=1), settings.calendar_rules(), settings.tz
        )
        delay = max((upcoming.fire_at_utc - clock.now()).total_seconds(), 0.0)
        for job in self.job_queue.get_jobs_by_name("scheduler-next"):
            job.schedule_removal()
        self.job_queue.run_once(
            self._wake, when=delay, name="scheduler-next", data=upcoming.id, job_kwargs=JOB_KWARGS
        )
        log.info("next event %s in %.0f s", upcoming.id, delay)

    async def _wake(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.catch_up()

    async def _tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.catch_up()
