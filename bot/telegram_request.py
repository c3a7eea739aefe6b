"""The HTTP client of every Bot API call, counted: outcome per method, 429s, last success."""

from __future__ import annotations

from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from services import metrics

# python-telegram-bot's own default for the main request pool (ApplicationBuilder).
MAIN_POOL_SIZE = 256


def method_of(url: str) -> str:
    """`…/bot<token>/sendMessage` → `sendMessage` (the token never leaves this function)."""
    return url.rstrip("/").rsplit("/", 1)[-1] or "unknown"


class MeteredRequest(HTTPXRequest):
    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        try:
            status, body = await super().do_request(url, method, *args, **kwargs)
        except NetworkError:
            metrics.telegram_answer(method_of(url), None)
            raise
        metrics.telegram_answer(method_of(url), status)
        return status, body
