"""Handling one incoming update, and concurrency: chats in parallel, each chat in order.

`handle` is the one place where an update starts being handled (the inbox worker calls it
for every row): it runs PTB's handlers and returns what they raised, which PTB itself only
passes to error handlers.

PTB handles one update at a time by default, so one slow reply holds up every other unit's
report. Running all updates concurrently would let two messages of the same person race
through a multi-step flow. This processor runs different chats' updates concurrently and one
chat's updates strictly in arrival order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext

from services import log_context, metrics

MAX_CONCURRENT_UPDATES = 64
log = logging.getLogger(__name__)


@dataclass
class _Outcome:
    error: BaseException | None = None


_current: ContextVar[_Outcome | None] = ContextVar("update_outcome", default=None)


async def handle(
    application: Application[Any, Any, Any, Any, Any, Any], update: Update
) -> BaseException | None:
    """Run the handlers for one update; the exception a handler raised, else None."""
    outcome = _Outcome()
    token = _current.set(outcome)
    try:
        await application.process_update(update)
    except Exception as error:  # process_update itself failed (not a handler)
        outcome.error = outcome.error or error
    finally:
        _current.reset(token)
    return outcome.error


async def on_error(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """PTB's error handler: hand a handler's exception to `handle`, whose caller logs and
    retries it; errors outside an update (jobs) are logged here."""
    outcome = _current.get()
    if _stale_callback(context.error):
        # A button press handled after Telegram stopped waiting for its answer (e.g. after a
        # restart): what the press changed is stored; answering again can never succeed.
        log.info("a button press was answered too late: %s", context.error)
        return
    if outcome is not None and isinstance(update, Update):
        outcome.error = outcome.error or context.error
        metrics.update_failed()
        return
    log.error("error while handling %s", type(update).__name__, exc_info=context.error)


def chat_key(update: object) -> int | None:
    """The chat (else the user) an update belongs to; None for updates of neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def log_fields(update: object) -> dict[str, int]:
    """What the log lines of this update's handling carry (update id, chat, user)."""
    if not isinstance(update, Update):
        return {}
    fields = {"update_id": update.update_id}
    if update.effective_chat is not None:
        fields["chat_id"] = update.effective_chat.id
    if update.effective_user is not None:
        fields["user_id"] = update.effective_user.id
    return fields


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            with log_context.scope(**log_fields(update)), metrics.counting_update():
                async with lock:
                    await coroutine
                log.debug("update handled")
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats: the map stays small
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _stale_callback(error: BaseException | None) -> bool:
    return isinstance(error, BadRequest) and "query is too old" in error.message.lower()
