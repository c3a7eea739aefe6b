"""Metrics: database gauges at scrape time, update and entry counters, scheduler lag, and the
`GET /metrics` handler over real HTTP, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Chat, Message, Update, User
from telegram.ext import ApplicationBuilder

from bot.updates import PerChatUpdateProcessor
from config import Settings
from ledger.clock import Clock
from ledger.vocab import OutboxState
from models import OutboxMessage
from models.db import make_engine, transaction
from scheduler.clockwork import HEARTBEAT, Clockwork
from scheduler.jobs import mark_run
from services import metrics, outbox
from services.runtime import Runtime
from tests.services.test_reporting import _submit, registry

__all__ = ["registry"]
NINE = datetime(2023, 4, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a prompt day (Monday)


def sample(name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


async def _enqueue(factory: async_sessionmaker[AsyncSession], kind: str, count: int) -> None:
    async with transaction(factory) as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.NewMessage(kind, "2023-03", f"r{n}", 1000 + n, {"text": "x"}, NINE)
                for n in range(count)
            ],
        )


async def test_outbox_rows_by_state_and_kind_are_read_at_scrape_time(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _enqueue(session_factory, "ledger-prompt", 5)
    await _enqueue(session_factory, "digest", 2)
    async with transaction(session_factory) as session:  # 2 prompts sent, 1 failed
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "ledger-prompt", OutboxMessage.recipient.in_(["r0", "r1"]))
            .values(state=OutboxState.SENT)
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "ledger-prompt", OutboxMessage.recipient == "r2")
            .values(state=OutboxState.FAILED)
        )
    await metrics.collect(engine)
    rows = lambda state, kind: sample("ledgerbot_outbox_rows", state=state, kind=kind)  # noqa: E731
    assert rows("pending", "ledger-prompt") == 2
    assert rows("sent", "ledger-prompt") == 2
    assert rows("failed", "ledger-prompt") == 1
    assert rows("unknown", "ledger-prompt") == 0
    assert rows("pending", "digest") == 2
    assert sample("ledgerbot_db_pool_checked_out") == 0  # nothing held between scrapes


async def test_the_heartbeat_and_a_dead_database(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(session_factory) as session:
        await mark_run(session, *HEARTBEAT, NINE, NINE, "scheduler")
    await metrics.collect(engine)
    assert sample("ledgerbot_scheduler_heartbeat_timestamp_seconds") == NINE.timestamp()
    errors = sample("ledgerbot_metrics_collect_errors_total")
    dead = make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    await metrics.collect(dead)  # the scrape still answers
    await dead.dispose()
    assert sample("ledgerbot_metrics_collect_errors_total") == errors + 1


async def test_entries_are_counted_when_committed_only(
    session_factory: async_sessionmaker[AsyncSession], session: AsyncSession, registry: object
) -> None:
    await session.commit()  # the registry fixture's rows
    before = sample("ledgerbot_entries_stored_total")
    async with session_factory() as work:
        async with work.begin():
            await _submit(work, 1001, 5, message_id=1)
        assert sample("ledgerbot_entries_stored_total") == before + 1
        await work.begin()
        await _submit(work, 1001, 6, message_id=2)
        await work.rollback()
    assert sample("ledgerbot_entries_stored_total") == before + 1


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "U", is_bot=False)
    chat = Chat(chat_id, "private")
    message = Message(1, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_updates_received_handled_and_failed() -> None:
    processor = PerChatUpdateProcessor()
    names = ("received", "handled", "failed")
    before = [sample(f"ledgerbot_updates_{n}_total") for n in names]

    async def fine() -> None:
        assert sample("ledgerbot_inbox_backlog") >= 1  # counted while being handled

    async def broken() -> None:
        metrics.update_failed()  # what the application's error handler does

    await processor.do_process_update(_update(1, 7), fine())
    await processor.do_process_update(_update(2, 7), broken())
    after = [sample(f"ledgerbot_updates_{n}_total") for n in names]
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1]
    assert sample("ledgerbot_inbox_backlog") == 0


async def test_scheduler_lag_is_due_to_fired(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Down from 08:59 to 09:01:30: the three 09:00 events fire 90 s late."""
    async with transaction(session_factory) as session:
        await mark_run(session, *HEARTBEAT, NINE - timedelta(minutes=1), NINE, "scheduler")
    settings = Settings(database_url=str(engine.url))
    runtime = Runtime(settings, engine, session_factory, Clock(NINE + timedelta(seconds=90)))
    application = ApplicationBuilder().token("1:x").build()
    assert application.job_queue is not None
    count = sample("ledgerbot_scheduler_lag_seconds_count")
    total = sample("ledgerbot_scheduler_lag_seconds_sum")
    fired = await Clockwork(runtime, application.job_queue, lambda: None).catch_up()
    assert fired == 3  # ledger prompts, milestone escalations, the Monday digest
    assert sample("ledgerbot_scheduler_lag_seconds_count") - count == 3
    lag = sample("ledgerbot_scheduler_lag_seconds_sum") - total
    assert 3 * 90 <= lag < 3 * 100
    assert sample("ledgerbot_scheduler_events_fired_total", kind="ledger-prompts") >= 1


async def test_get_metrics_over_http(engine: AsyncEngine) -> None:
    app = web.Application()
    app.router.add_get("/metrics", metrics.metrics_handler(lambda: engine))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        body = await response.text()
    names = {f.name for f in text_string_to_metric_families(body)}
    assert {
        "ledgerbot_updates_received",
        "ledgerbot_inbox_backlog",
        "ledgerbot_entries_stored",
        "ledgerbot_outbox_rows",
        "ledgerbot_send_latency_seconds",
        "ledgerbot_telegram_429",
        "ledgerbot_send_retries",
        "ledgerbot_scheduler_lag_seconds",
        "ledgerbot_telegram_last_success_timestamp_seconds",
        "ledgerbot_db_pool_checked_out",
    } <= names
    assert all(name.startswith("ledgerbot_") for name in names)
