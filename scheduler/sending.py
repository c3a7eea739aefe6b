"""One Telegram call per outbox row, and how to read what went wrong."""

from __future__ import annotations

import asyncio
import base64
import warnings
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.error import RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from scheduler.pacing import Pacer


class WireGate:
    """Holds a dispatcher's request until the bot-wide ceiling allows it, and stamps it then.

    It runs in the HTTP client's request hook (`request_hooks`), the last moment before the
    request is written, so the pacer counts sends as the server will. A request waits there
    at most the ceiling's window (about a second): the pacer already spaced the sends, and
    the gate only undoes what the event loop squeezed together since.
    """

    def __init__(self, pacer: Pacer) -> None:
        self._pacer, self._turn = pacer, asyncio.Lock()  # first come, first out

    async def pass_through(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._turn:
            ready = self._pacer.wire_ready_at(loop.time())
            if ready > loop.time():
                await asyncio.sleep(ready - loop.time())
            self._pacer.wire_take(max(ready, loop.time()))


_gate: ContextVar[WireGate | None] = ContextVar("ledgerbot_wire_gate", default=None)


async def _leaving(request: httpx.Request) -> None:
    gate = _gate.get()
    if gate is not None:
        await gate.pass_through()


def request_hooks() -> dict[str, Any]:
    """httpx client arguments for the bot's requests (PTB's ``HTTPXRequest(httpx_kwargs=…)``):
    a dispatcher's sends wait at its `WireGate` as they leave; other requests pass untouched."""
    return {"event_hooks": {"request": [_leaving]}}


@dataclass
class Job:
    row_id: int
    chat_id: int
    payload: dict[str, Any]
    attempts: int
    kind: str = ""
    period: str = ""


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # int-vs-timedelta deprecation in PTB 22
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def not_sent(exc: TimedOut) -> bool:
    """Pool and connect timeouts happen before the request leaves: safe to resend."""
    return "Pool timeout" in exc.message or isinstance(exc.__cause__, httpx.ConnectTimeout)


def describe(exc: TelegramError) -> str:
    """The error as kept in ``last_error``: its class, then Telegram's words."""
    name = type(exc).__name__
    return exc.message if exc.message.startswith(name) else f"{name}: {exc.message}"


async def send_payload(
    bot: Bot, chat_id: int, payload: dict[str, Any], seconds: float, gate: WireGate | None = None
) -> int:
    """Send a row's payload (a text, or a photo: the digest chart); the message id. With a
    ``gate``, the request waits there as it leaves (when the bot's client has `request_hooks`)."""
    token = _gate.set(gate)
    try:
        return await _send(bot, chat_id, payload, seconds)
    finally:
        _gate.reset(token)


async def _send(bot: Bot, chat_id: int, payload: dict[str, Any], seconds: float) -> int:
    markup = payload.get("reply_markup")
    common: dict[str, Any] = {
        "chat_id": chat_id,
        "parse_mode": payload.get("parse_mode"),
        "reply_markup": InlineKeyboardMarkup.de_json(markup, bot) if markup else None,
        "disable_notification": payload.get("disable_notification"),
        "message_thread_id": payload.get("message_thread_id"),  # a forum topic
        "read_timeout": seconds,
        "write_timeout": seconds,
        "connect_timeout": seconds,
        "pool_timeout": seconds,
    }
    if "photo_b64" in payload:  # e.g. the digest chart: {"photo_b64", "caption", ...}
        photo = InputFile(base64.b64decode(payload["photo_b64"]), filename="chart.png")
        sent = await bot.send_photo(photo=photo, caption=payload.get("caption"), **common)
        return sent.message_id
    if "edit_message_id" in payload:  # a message sent before, shown decided: no buttons left
        await bot.edit_message_text(
            text=payload["text"], chat_id=chat_id, message_id=payload["edit_message_id"],
            parse_mode=payload.get("parse_mode"), reply_markup=None,
            read_timeout=seconds, write_timeout=seconds, connect_timeout=seconds,
            pool_timeout=seconds,
        )  # fmt: skip
        return int(payload["edit_message_id"])
    if "file_id" in payload:  # an attachment kept by its Telegram file id (evidence)
        if payload.get("file_kind") == "photo":
            sent = await bot.send_photo(photo=payload["file_id"], caption=payload.get("caption"),
                                        **common)  # fmt: skip
        else:
            sent = await bot.send_document(
                document=payload["file_id"], caption=payload.get("caption"), **common
            )
        return sent.message_id
    message = await bot.send_message(text=payload["text"], **common)
    return message.message_id
