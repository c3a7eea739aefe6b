"""Fixtures for the dispatcher: the Bot API double, a real PTB Bot, fast dispatch limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import telegram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.request import HTTPXRequest

from models.db import transaction
from scheduler.dispatcher import Dispatcher, DispatchLimits
from scheduler.pacing import Limits
from scheduler.sending import request_hooks
from services import outbox
from tests.telegram_double import TelegramDouble

FAST = DispatchLimits(
    pacing=Limits(global_per_second=500, private_per_second=20, wire_limit=500),
    concurrency=16,
    poll_interval=0.05,
    send_timeout=0.5,
    backoff_base=0.05,
    backoff_cap=0.2,
)


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def tg() -> AsyncIterator[TelegramDouble]:
    """The double; the test fails if it answered a 4xx the test did not `expect_error`."""
    async with TelegramDouble() as double:
        yield double
        problems = double.problems()
    assert problems == [], "Telegram would have rejected requests:\n" + "\n".join(problems)


@pytest.fixture
async def bot(tg: TelegramDouble) -> AsyncIterator[telegram.Bot]:
    request = HTTPXRequest(connection_pool_size=32, httpx_kwargs=request_hooks())  # as app.py
    async with telegram.Bot(tg.token, base_url=tg.base_url, request=request) as bot:
        yield bot


DispatcherMaker = Callable[..., Dispatcher]


@pytest.fixture
async def make_dispatcher(
    session_factory: async_sessionmaker[AsyncSession], bot: telegram.Bot
) -> AsyncIterator[DispatcherMaker]:
    """Build dispatchers (stopped at teardown); keyword overrides go to DispatchLimits."""
    made: list[Dispatcher] = []

    def make(
        factory: async_sessionmaker[AsyncSession] | None = None,
        worker_id: str = "w1",
        pacing: Limits | None = None,
        **limits: object,
    ) -> Dispatcher:
        settings = DispatchLimits(**{**vars(FAST), "pacing": pacing or FAST.pacing, **limits})
        dispatcher = Dispatcher(
            factory or session_factory, bot, worker_id=worker_id, clock_now=now, limits=settings
        )
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        await dispatcher.stop()


async def enqueue_texts(
    factory: async_sessionmaker[AsyncSession],
    chat_ids: list[int],
    kind: str = "prompt",
    **payload: object,
) -> None:
    """One message per chat id (recipients numbered, so a chat may appear twice)."""
    messages = [
        outbox.NewMessage(
            kind,
            "2023-03",
            f"r{n}",
            chat_id,
            {"text": f"请填报 #{n}", "parse_mode": None, "reply_markup": None, **payload},
            now() - timedelta(seconds=1),
        )
        for n, chat_id in enumerate(chat_ids)
    ]
    async with transaction(factory) as session:
        await outbox.enqueue_many(session, messages)
