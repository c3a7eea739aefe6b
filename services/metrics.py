"""Prometheus metrics of the bot process (names start with `ledgerbot_`).

Counters and histograms are updated where things happen (update intake, the dispatcher, the
clockwork, entry storage, Telegram requests); gauges that need the database are filled by
`collect()` at scrape time. `render()` gives the Prometheus text, `metrics_handler()` an aiohttp
handler for `GET /metrics` on the bot's web server.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ledger.vocab import OutboxState
from models import JobRun, OutboxMessage

disable_created_metrics()  # type: ignore[no-untyped-call]  # no `*_created` series
REGISTRY = CollectorRegistry()
ProcessCollector(namespace="ledgerbot", registry=REGISTRY)

UPDATES_RECEIVED = Counter(
    "ledgerbot_updates_received", "Telegram updates received", registry=REGISTRY
)
UPDATES_HANDLED = Counter(
    "ledgerbot_updates_handled", "Updates handled without an error", registry=REGISTRY
)
UPDATES_FAILED = Counter(
    "ledgerbot_updates_failed", "Updates whose handler raised an error", registry=REGISTRY
)
INBOX_BACKLOG = Gauge(
    "ledgerbot_inbox_backlog", "Updates received and not yet handled", registry=REGISTRY
)
SESSIONS_OPENED = Counter(
    "ledgerbot_db_sessions",
    "Database sessions opened (one per update, job run or request)",
    registry=REGISTRY,
)
ENTRIES_STORED = Counter(
    "ledgerbot_entries_stored", "Progress entries committed (every version)", registry=REGISTRY
)
OUTBOX_ROWS = Gauge(
    "ledgerbot_outbox_rows", "Outbox rows by state and kind", ["state", "kind"], registry=REGISTRY
)
OUTBOX_SENT = Counter("ledgerbot_outbox_sent", "Outbox rows sent", ["kind"], registry=REGISTRY)
SEND_LATENCY = Histogram(
    "ledgerbot_send_latency_seconds",
    "Duration of one outbox send (sendMessage / sendPhoto), any outcome",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
SEND_RETRIES = Counter(
    "ledgerbot_send_retries",
    "Outbox sends to be tried again, by reason",
    ["reason"],
    registry=REGISTRY,
)
TELEGRAM_429 = Counter(
    "ledgerbot_telegram_429", "429 Too Many Requests answers", ["method"], registry=REGISTRY
)
TELEGRAM_REQUESTS = Counter(
    "ledgerbot_telegram_requests",
    "Bot API requests by method and outcome (HTTP status or network_error)",
    ["method", "outcome"],
    registry=REGISTRY,
)
TELEGRAM_LAST_SUCCESS = Gauge(
    "ledgerbot_telegram_last_success_timestamp_seconds",
    "Unix time of the last Bot API request Telegram answered with 200",
    registry=REGISTRY,
)
SCHEDULER_LAG = Histogram(
    "ledgerbot_scheduler_lag_seconds",
    "From the time a scheduled event was due to the time it fired",
    buckets=(1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400),
    registry=REGISTRY,
)
EVENTS_FIRED = Counter(
    "ledgerbot_scheduler_events_fired", "Scheduled events fired", ["kind"], registry=REGISTRY
)
SCHEDULER_HEARTBEAT = Gauge(
    "ledgerbot_scheduler_heartbeat_timestamp_seconds",
    "Unix time of the scheduler's last catch-up (database heartbeat)",
    registry=REGISTRY,
)
BACKUP_LAST_SUCCESS = Gauge(
    "ledgerbot_backup_last_success_timestamp_seconds",
    "Unix time of the last nightly backup that completed",
    registry=REGISTRY,
)
DB_POOL_SIZE = Gauge("ledgerbot_db_pool_size", "Database pool: connections kept", registry=REGISTRY)
DB_POOL_CHECKED_OUT = Gauge(
    "ledgerbot_db_pool_checked_out", "Database pool: connections in use", registry=REGISTRY
)
DB_POOL_OVERFLOW = Gauge(
    "ledgerbot_db_pool_overflow",
    "Database pool: connections beyond the pool size",
    registry=REGISTRY,
)
SCRAPE_ERRORS = Counter(
    "ledgerbot_metrics_collect_errors", "Scrapes whose database gauges failed", registry=REGISTRY
)


# --- updates ------------------------------------------------------------------------
_update_failed: ContextVar[list[bool] | None] = ContextVar("ledgerbot_update_failed", default=None)


@contextmanager
def counting_update() -> Iterator[None]:
    """Around one update's handling: counted received, then handled or failed."""
    UPDATES_RECEIVED.inc()
    INBOX_BACKLOG.inc()
    failed: list[bool] = []
    token = _update_failed.set(failed)
    try:
        yield
    except BaseException:
        failed.append(True)
        raise
    finally:
        _update_failed.reset(token)
        INBOX_BACKLOG.dec()
        (UPDATES_FAILED if failed else UPDATES_HANDLED).inc()


def update_failed() -> None:
    """Called by the error handler: the update being handled here failed."""
    marker = _update_failed.get()
    if marker is None:
        UPDATES_FAILED.inc()  # an error outside `count_update`: still counted
    elif not marker:
        marker.append(True)


# --- entries ------------------------------------------------------------------------
def count_entry_on_commit(session: AsyncSession) -> None:
    """Count one stored entry when (and only if) the session's transaction commits."""
    event.listen(session.sync_session, "after_commit", _entry_committed, once=True)


def _entry_committed(_session: Any) -> None:
    ENTRIES_STORED.inc()


# --- Telegram -----------------------------------------------------------------------
def telegram_answer(method: str, status: int | None) -> None:
    """One Bot API request finished: its HTTP status, or None for a network error."""
    TELEGRAM_REQUESTS.labels(method, str(status) if status else "network_error").inc()
    if status == 200:
        TELEGRAM_LAST_SUCCESS.set(time.time())
    elif status == 429:
        TELEGRAM_429.labels(method).inc()


def scheduler_fired(kind: str, due: datetime, fired: datetime) -> None:
    EVENTS_FIRED.labels(kind).inc()
    SCHEDULER_LAG.observe(max((fired - due).total_seconds(), 0.0))


# --- scrape time --------------------------------------------------------------------
async def collect(engine: AsyncEngine | None) -> None:
    """Fill the gauges that need the database (outbox, heartbeat) and the pool figures."""
    if engine is None:
        return
    pool: Any = engine.pool
    for gauge, name in (
        (DB_POOL_SIZE, "size"),
        (DB_POOL_CHECKED_OUT, "checkedout"),
        (DB_POOL_OVERFLOW, "overflow"),
    ):
        reading = getattr(pool, name, None)
        if callable(reading):
            gauge.set(max(int(reading()), 0))
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(OutboxMessage.state, OutboxMessage.kind, func.count()).group_by(
                        OutboxMessage.state, OutboxMessage.kind
                    )
                )
            ).all()
            beat = await connection.scalar(
                select(JobRun.fired_at).where(JobRun.kind == "scheduler", JobRun.key == "heartbeat")
            )
    except (SQLAlchemyError, OSError):  # a scrape must answer even when the database does not
        SCRAPE_ERRORS.inc()
        return
    kinds = {kind for _, kind, _ in rows}
    OUTBOX_ROWS.clear()
    for kind in kinds:
        for state in OutboxState:
            OUTBOX_ROWS.labels(state.value, kind).set(0)
    for state, kind, count in rows:
        OUTBOX_ROWS.labels(OutboxState(state).value, kind).set(count)
    if beat is not None:
        SCHEDULER_HEARTBEAT.set(beat.timestamp())


def render() -> bytes:
    """The Prometheus text exposition of every ledgerbot metric."""
    return generate_latest(REGISTRY)


EngineSource = Callable[[], AsyncEngine | None]


def metrics_handler(engine: EngineSource) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp handler for `GET /metrics`; `engine()` gives the process's engine (or None)."""

    async def handle(_request: web.Request) -> web.Response:
        await collect(engine())
        response = web.Response(body=render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return handle
