"""A faithful Telegram Bot API test double with a control API.

Async::

    async with TelegramDouble() as tg:
        bot = telegram.Bot(tg.token, base_url=tg.base_url)
        control = tg.client()

Background thread (for subprocess e2e tests)::

    tg = TelegramDouble.start_in_thread(token="123:abc")
    env["LEDGERBOT_TELEGRAM_BASE_URL"] = tg.base_url
    control = tg.client()
    ...
    tg.stop()

Standalone: ``python -m tests.telegram_double --port 8081 --token T [--flood-limits]``.
"""

from .client import AsyncDoubleClient, DoubleClient, DoubleError
from .errors import ApiError
from .faults import FaultRule
from .limits import FloodConfig
from .server import DEFAULT_TOKEN, TelegramDouble
from .thread import ThreadedDouble

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "AsyncDoubleClient",
    "DoubleClient",
    "DoubleError",
    "FaultRule",
    "FloodConfig",
    "TelegramDouble",
    "ThreadedDouble",
]
