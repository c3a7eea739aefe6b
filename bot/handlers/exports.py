"""/export, /bulletin and /digest: documents in the chat, built by messages.documents.

Staff get everything; a unit's contact or principal gets the ledger and bulletin of their own
unit(s) only; anyone else is refused before their arguments are even read, so a stranger learns
nothing (not even whether a period exists). Files are built off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.access import Caller, ask_private, caller, refuse
from bot.context import BotApplication, BotContext
from bot.i18n import Catalog
from ledger.periods import LEDGER_YEARS, YearOutOfRange, ledger_period, ledger_quarter
from messages.documents import DOCUMENTS, Ask, Audience, Document, Loaded, digest_caption

texts = Catalog(
    {
        "export_usage": {
            "zh": "用法：/export 2023-05（默认为当前台账月份）",
            "en": "Usage: /export 2023-05 (default: the open period)",
        },
        "digest_usage": {
            "zh": "用法：/digest 2023-05（默认为当前台账月份）",
            "en": "Usage: /digest 2023-05 (default: the open period)",
        },
        "bulletin_usage": {
            "zh": "用法：/bulletin 2023Q2（默认为当前季度）",
            "en": "Usage: /bulletin 2023Q2 (default: the current quarter)",
        },
        "year_out_of_range": {
            "zh": "年份超出范围：台账年份应在 {first}–{last} 之间。",
            "en": "Year out of range: ledgers cover {first}–{last}.",
        },
        "no_plan": {"zh": "尚未导入工作计划。", "en": "No plan has been imported yet."},
        "ledger_caption": {
            "zh": "{period} 推进台账{scope}",
            "en": "Progress ledger {period}{scope}",
        },
        "bulletin_caption": {"zh": "{quarter} 季度通报{scope}", "en": "Bulletin {quarter}{scope}"},
        "scope": {"zh": "（{units}）", "en": " ({units})"},
    }
)


@dataclass(frozen=True)
class Command:
    """A chat command for a document: its kind, how its one argument is read, its usage."""

    name: str
    kind: str
    asked: Callable[[str], dict[str, Any]]
    usage: str
    caption: str | None = None  # None: the document is sent as a message and a photo


COMMANDS = (
    Command("export", "ledger", lambda a: {"periods": (ledger_period(a),)}, "export_usage",
            "ledger_caption"),
    Command("bulletin", "bulletin", lambda a: {"quarter": ledger_quarter(a.upper())},
            "bulletin_usage", "bulletin_caption"),
    Command("digest", "digest", lambda a: {"periods": (ledger_period(a),)}, "digest_usage"),
)  # fmt: skip


def _scope(who: Caller) -> tuple[int, ...] | None:
    """None for staff (everything), else the caller's own unit ids."""
    return (
        None if who.identity.is_staff else tuple(sorted({b.unit_id for b in who.identity.bindings}))
    )


def _scope_text(who: Caller) -> str:
    if who.identity.is_staff:
        return ""
    names = "、".join(sorted({b.unit_name for b in who.identity.bindings}))
    return texts("scope", who.lang, units=names)


async def _allowed(update: Update, context: BotContext, document: Document) -> Caller | None:
    who = await caller(update, context)
    if who is None or update.effective_message is None:
        return None
    identity = who.identity
    if not (identity.is_staff if document.audience is Audience.STAFF else identity.known):
        await refuse(update, who.lang)
        return None
    if not who.private:  # a file for one unit or for staff must not land in a group
        await ask_private(update, context, who.lang)
        return None
    return who


def handler(command: Command) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    document = DOCUMENTS[command.kind]

    async def send(update: Update, context: BotContext) -> None:
        who = await _allowed(update, context, document)
        if who is None:
            return
        message = update.effective_message
        assert message is not None
        runtime, argument = context.runtime, " ".join(context.args or []).strip()
        try:
            asked = command.asked(argument) if argument else {}
        except YearOutOfRange:
            first, last = LEDGER_YEARS
            await message.reply_text(texts("year_out_of_range", who.lang, first=first, last=last))
            return
        except ValueError:
            await message.reply_text(texts(command.usage, who.lang))
            return
        settings = runtime.settings
        ask = Ask(runtime.clock.now(), settings.calendar_rules(), settings.tz,
                  unit_ids=_scope(who), lang=who.lang, **asked)  # fmt: skip
        async with runtime.session() as session:
            loaded = await document.load(session, ask)
        if loaded is None:
            await message.reply_text(texts("no_plan", who.lang))
        elif command.caption is None:
            await _send_digest(update, document, loaded, ask)
        else:
            caption = texts(command.caption, who.lang, period=loaded.key, quarter=loaded.key,
                            scope=_scope_text(who))  # fmt: skip
            for suffix in document.writers:
                data = await asyncio.to_thread(document.write, loaded, ask, suffix)
                name = document.file_name(loaded, suffix)
                await message.reply_document(
                    document=InputFile(data, filename=name), caption=caption
                )

    return send


async def _send_digest(update: Update, document: Document, loaded: Loaded, ask: Ask) -> None:
    """Staff preview of the weekly digest: the text and the chart exactly as groups get them."""
    message = update.effective_message
    assert message is not None
    text = document.write(loaded, ask, "html")
    chart = await asyncio.to_thread(document.write, loaded, ask, "png")
    await message.reply_text(str(text), parse_mode=ParseMode.HTML)
    await message.reply_photo(
        photo=InputFile(chart, filename="digest.png"),
        caption=digest_caption(loaded, ask),
        parse_mode=ParseMode.HTML,
    )


def register(application: BotApplication) -> None:
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, handler(command)))
