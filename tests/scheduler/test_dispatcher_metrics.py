"""The dispatcher's and the Bot API client's metrics, against the double on real databases."""

from __future__ import annotations

import pytest
import telegram
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram_request import MeteredRequest, method_of
from services import metrics
from tests.scheduler.conftest import DispatcherMaker, enqueue_texts
from tests.telegram_double import TelegramDouble

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
USER = 100_001


def sample(name: str, **labels: str) -> float:
    """The current value of one sample in the rendered text (0 when absent)."""
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


async def test_sends_latency_retries_and_sent_rows_are_counted(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    users = [tg.state.add_user(f"U{n}", user_id=USER + n).id for n in range(5)]
    await enqueue_texts(session_factory, users, kind="metrics-test")
    tg.faults.add(method="sendMessage", kind="429", chat_id=USER, retry_after=1)
    tg.faults.add(method="sendMessage", kind="500", chat_id=USER + 1)
    before = {
        "latency": sample("ledgerbot_send_latency_seconds_count"),
        "sent": sample("ledgerbot_outbox_sent_total", kind="metrics-test"),
        "429": sample("ledgerbot_send_retries_total", reason="rate_limited"),
        "500": sample("ledgerbot_send_retries_total", reason="transient"),
    }
    dispatcher = make_dispatcher()
    await dispatcher.start()
    assert await dispatcher.drain(15)
    await dispatcher.stop()
    # 5 rows delivered, after one 429 and one 500: 7 sends timed, 5 rows sent, 2 retries.
    assert sample("ledgerbot_send_latency_seconds_count") - before["latency"] == 7
    assert sample("ledgerbot_outbox_sent_total", kind="metrics-test") - before["sent"] == 5
    assert sample("ledgerbot_send_retries_total", reason="rate_limited") - before["429"] == 1
    assert sample("ledgerbot_send_retries_total", reason="transient") - before["500"] == 1


async def test_every_bot_api_answer_is_counted_and_429_named(tg: TelegramDouble) -> None:
    user = tg.state.add_user("U", user_id=USER).id
    tg.faults.add(method="sendMessage", kind="429", chat_id=USER, retry_after=1)
    before_429 = sample("ledgerbot_telegram_429_total", method="sendMessage")
    before_ok = sample("ledgerbot_telegram_requests_total", method="sendMessage", outcome="200")
    async with telegram.Bot(tg.token, base_url=tg.base_url, request=MeteredRequest()) as bot:
        with pytest.raises(telegram.error.RetryAfter):
            await bot.send_message(user, "一")
        await bot.send_message(user, "二")
    assert sample("ledgerbot_telegram_429_total", method="sendMessage") - before_429 == 1
    ok = sample("ledgerbot_telegram_requests_total", method="sendMessage", outcome="200")
    assert ok - before_ok == 1
    assert sample("ledgerbot_telegram_last_success_timestamp_seconds") > 0
    # the token is never a label
    assert tg.token not in metrics.render().decode()


async def test_a_dead_telegram_counts_network_errors() -> None:
    before = sample("ledgerbot_telegram_requests_total", method="getMe", outcome="network_error")
    bot = telegram.Bot("1:x", base_url="http://127.0.0.1:9/bot", request=MeteredRequest())
    with pytest.raises(telegram.error.NetworkError):
        await bot.get_me()
    after = sample("ledgerbot_telegram_requests_total", method="getMe", outcome="network_error")
    assert after - before == 1


def test_the_method_is_the_last_path_segment() -> None:
    assert method_of("https://api.telegram.org/bot123:secret/sendMessage") == "sendMessage"
