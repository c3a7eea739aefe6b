"""Where updates come in: stored in the inbox before Telegram is told they arrived.

`Intake.accept` is what both the webhook (web/webhook.py) and `Poller` call: True once the
updates are committed (then the webhook answers 200 and polling moves its offset past them),
False when the database could not take them (the webhook answers 503, polling asks for the
same updates again): Telegram keeps them until they are stored. `Unsaved` tells the user, once
per update, that the bot cannot save right now, and logs one ERROR line saying why.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError, TimedOut

from bot.i18n import Catalog, pick_language
from services import inbox
from services.runtime import Runtime

log = logging.getLogger(__name__)
REMEMBERED = 10_000  # update ids whose trouble was already reported
POLL_BACKOFF_MAX = 30.0

texts = Catalog(
    {
        "unsaved": {
            "zh": "系统暂时无法保存，请稍后再试",
            "en": "The system cannot save right now. Please try again later.",
        },
    }
)


def _notice_target(raw: dict[str, Any], default_lang: str) -> tuple[str, Any, str] | None:
    """How to tell the sender of `raw`: ("alert", callback query id, lang) for a button,
    ("chat", chat id, lang) for a private message or a command in a group; None otherwise."""
    kind, _ = inbox.describe(raw)
    body = raw.get(kind)
    if not isinstance(body, dict):
        return None
    sender = body.get("from")
    code = sender.get("language_code") if isinstance(sender, dict) else None
    lang = pick_language(None, code, default_lang)
    if kind == "callback_query" and body.get("id"):
        return "alert", body["id"], lang
    chat = body.get("chat")
    if kind in ("message", "edited_message") and isinstance(chat, dict):
        command = str(body.get("text") or "").startswith("/")
        if chat.get("type") == "private" or command:
            return "chat", chat.get("id"), lang
    return None


class Unsaved:
    """Reports updates the database could not take: one ERROR line and one notice each."""

    def __init__(self, bot: Bot, default_lang: str) -> None:
        self.bot, self.default_lang = bot, default_lang
        self._reported: OrderedDict[int, None] = OrderedDict()
        self._sending: set[asyncio.Task[None]] = set()

    def report(self, raws: Sequence[dict[str, Any]], error: BaseException, *, retried: str) -> None:
        fresh = [raw for raw in raws if raw.get("update_id") not in self._reported]
        if not fresh:
            return
        for raw in fresh:
            self._reported[raw.get("update_id")] = None  # type: ignore[index]
        while len(self._reported) > REMEMBERED:
            self._reported.popitem(last=False)
        log.error(
            "could not save update %s: %s; %s",
            ", ".join(str(raw.get("update_id")) for raw in fresh),
            inbox.short_error(error),
            retried,
        )
        for raw in fresh:
            target = _notice_target(raw, self.default_lang)
            if target is not None:
                task = asyncio.create_task(self._tell(*target))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    async def _tell(self, how: str, where: Any, lang: str) -> None:
        text = texts("unsaved", lang)
        try:
            if how == "alert":
                await self.bot.answer_callback_query(where, text, show_alert=True)
            else:
                await self.bot.send_message(where, text)
        except TelegramError as error:
            log.warning("could not tell chat about the unsaved update: %s", error)

    async def close(self) -> None:
        await asyncio.gather(*self._sending, return_exceptions=True)


class Intake:
    """Stores updates in the inbox and wakes the worker."""

    def __init__(self, runtime: Runtime, unsaved: Unsaved, wake: Callable[[], None]) -> None:
        self.runtime, self.unsaved, self.wake = runtime, unsaved, wake

    async def accept(self, updates: Sequence[dict[str, Any]], *, retried: str = "") -> bool:
        try:
            async with self.runtime.session() as session:
                await inbox.store(session, updates, now=self.runtime.clock.now())
        except Exception as error:  # anything that kept the rows out: Telegram keeps them
            self.unsaved.report(updates, error, retried=retried or "Telegram delivers it again")
            return False
        self.wake()
        return True


class Poller:
    """getUpdates long polling whose offset moves only past updates the inbox committed."""

    def __init__(self, bot: Bot, intake: Intake, timeout: int) -> None:
        self.bot, self.intake, self.timeout = bot, intake, timeout
        self.offset: int | None = None
        self._confirmed: int | None = None  # the offset Telegram was last sent
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._run(), name="polling")

    async def stop(self) -> None:
        """Stop polling and confirm what was stored, so a restart does not fetch it again."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.offset is not None and self.offset != self._confirmed:
            try:
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)
            except TelegramError as error:  # harmless: the inbox ignores a re-delivery
                log.info("could not confirm the last updates on the way out: %s", error)

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            try:
                batch = await self.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
                )
            except TimedOut:
                continue
            except TelegramError as error:
                log.warning("getUpdates failed (%s); again in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, POLL_BACKOFF_MAX)
                continue
            self._confirmed = self.offset
            if not batch:
                continue
            raws = [update.to_dict() for update in batch]
            if await self.intake.accept(raws, retried="not confirmed to Telegram; asking again"):
                self.offset, backoff = batch[-1].update_id + 1, 1.0
            else:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, POLL_BACKOFF_MAX)
