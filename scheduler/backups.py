"""The nightly backup (SQLite only): off unless LEDGERBOT_BACKUP_DIR is set.

It runs at LEDGERBOT_BACKUP_TIME on the bot's clock, keeps the newest LEDGERBOT_BACKUP_KEEP
archives in the folder, and schedules the next night after each run.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from models.db import sqlite_path
from services import metrics
from services.backup import BackupError, archive_name, backup_sqlite, prune
from services.runtime import Runtime

log = logging.getLogger(__name__)
JOB_NAME = "nightly-backup"


def next_run(now: datetime, runtime: Runtime) -> datetime:
    """The next LEDGERBOT_BACKUP_TIME in the bureau's time zone, strictly after `now`."""
    settings = runtime.settings
    local = now.astimezone(settings.tz)
    at = datetime.combine(local.date(), settings.backup_time, tzinfo=settings.tz)
    return at if at > local else at + timedelta(days=1)


async def nightly_backup(runtime: Runtime) -> Path | None:
    """Take one backup into LEDGERBOT_BACKUP_DIR and prune old ones; None when off."""
    folder = runtime.settings.backup_dir
    database = sqlite_path(runtime.settings.database_url)
    if folder is None or database is None:
        return None
    moment = runtime.clock.now().astimezone(runtime.settings.tz)
    target = folder / archive_name(moment)
    try:
        manifest = await asyncio.to_thread(backup_sqlite, database, target, moment)
        removed = await asyncio.to_thread(prune, folder, runtime.settings.backup_keep)
    except (BackupError, OSError) as exc:
        log.error("nightly backup failed: %s", exc)
        return None
    metrics.BACKUP_LAST_SUCCESS.set(runtime.clock.now().timestamp())
    log.info(
        "nightly backup %s: %d rows at revision %s; %d old backups removed",
        target,
        manifest.rows,
        manifest.schema_revision,
        len(removed),
    )
    return target


def schedule_nightly_backup(runtime: Runtime, job_queue: JobQueue[Any]) -> datetime | None:
    """Set the timer for the next nightly backup; returns when it runs (None when off)."""
    settings = runtime.settings
    if settings.backup_dir is None:
        return None
    if not settings.is_sqlite:
        log.warning(
            "LEDGERBOT_BACKUP_DIR is set but the database is PostgreSQL: back it up with "
            "pg_dump (see README, Backups); no nightly backup is scheduled"
        )
        return None
    now = runtime.clock.now()
    when = next_run(now, runtime)

    async def run(_context: ContextTypes.DEFAULT_TYPE) -> None:
        await nightly_backup(runtime)
        schedule_nightly_backup(runtime, job_queue)

    for job in job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    delay = max((when - now).total_seconds(), 0.0)
    job_queue.run_once(run, when=delay, name=JOB_NAME, job_kwargs={"misfire_grace_time": 3600})
    log.info("nightly backup at %s", when.isoformat())
    return when
