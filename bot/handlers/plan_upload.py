"""An admin sends a plan document in a private chat: the dry run with [导入] [取消]; [导入] runs
the CLI's import in one transaction and reports the changes."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path, PurePath
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.access import Caller, admin, caller, guarded, load_flow, save_flow
from bot.context import BotApplication, BotContext
from bot.handlers.plan_upload_texts import dry_run_text, report_text, texts
from ledger.importing import ImportFormatError, ParsedPlan
from messages import buttons
from services import conversations
from services.audit import Actor
from services.importer import ImportRefused, import_plan
from services.plan_upload import SUFFIXES, dry_run, import_limits, read_plan

FLOW = "plan_upload"
GROUP = -1  # before the report flow's evidence capture, which would take any document


async def _parse(context: BotContext, file_id: str, name: str, year: int | None) -> ParsedPlan:
    """Download and parse within the import limits (ImportFormatError otherwise)."""
    limits = import_limits(context.runtime.settings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / PurePath(name).name
        telegram_file = await context.bot.get_file(file_id)
        await telegram_file.download_to_drive(path)
        return await asyncio.to_thread(read_plan, path, limits, year)


def _year(caption: str | None) -> int | None:
    """A caption of four digits names the plan's year (for documents that do not)."""
    word = (caption or "").strip()
    return int(word) if word.isdecimal() and len(word) == 4 else None


async def document_received(update: Update, context: BotContext) -> None:
    """Admins' plan documents only; anything else falls through to the report flow."""
    message = update.effective_message
    who = await caller(update, context)
    if message is None or message.document is None or who is None:
        return
    if not (who.identity.is_admin and who.private):
        return
    async with context.runtime.session() as session:
        state = await conversations.load(session, who.identity.user_id)
    if state is not None and state.flow != FLOW:
        return  # an admin who is also a contact, attaching evidence to a report
    await _dry_run(update, context, who)
    raise ApplicationHandlerStop


async def _dry_run(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    name = document.file_name or "plan.docx"
    limits = import_limits(context.runtime.settings)
    if document.file_size and document.file_size > limits.max_file_bytes:
        mb = limits.max_file_bytes / 1_000_000
        await message.reply_text(texts("too_large", who.lang, name=name, mb=f"{mb:g}"))
        return
    year = _year(message.caption)
    try:
        parsed = await _parse(context, document.file_id, name, year)
        async with context.runtime.session() as session:
            found = await dry_run(session, parsed, source=name, year=year)
    except (ImportFormatError, ImportRefused) as bad:
        await message.reply_text(texts("unreadable", who.lang, name=name, reason=str(bad)))
        return
    data: dict[str, Any] = {"file_id": document.file_id, "name": name, "year": year}
    data["upload"] = message.message_id
    await save_flow(context, who, FLOW, data)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts(label, who.lang),
                    callback_data=buttons.encode(buttons.ImportUpload(message.message_id, code)),
                )
                for label, code in (("import", "i"), ("cancel", "c"))
            ]
        ]
    )
    await message.reply_text(dry_run_text(found, name, who.lang), reply_markup=keyboard)


@guarded(admin, private=True)
async def button_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.ImportUpload)
    data = await load_flow(context, who, FLOW)
    if button is None or data is None or data.get("upload") != button.upload_id:
        await query.answer(texts("stale", who.lang), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    runtime = context.runtime
    if button.action == "c":
        async with runtime.session() as session:
            await conversations.clear(session, who.identity.user_id)
        await context.bot.send_message(who.chat_id, texts("cancelled", who.lang))
        return
    try:
        parsed = await _parse(context, data["file_id"], data["name"], data["year"])
        async with runtime.session() as session:
            report = await import_plan(
                parsed, session=session, source=data["name"], year=data["year"],
                actor=Actor.telegram(who.identity.user_id, who.chat_id), **runtime.as_of(),
            )  # fmt: skip
            await conversations.clear(session, who.identity.user_id)
    except (ImportFormatError, ImportRefused) as bad:
        reason = texts("unreadable", who.lang, name=data["name"], reason=str(bad))
        await context.bot.send_message(who.chat_id, reason)
        return
    await context.bot.send_message(who.chat_id, report_text(report, who.lang))


def register(application: BotApplication) -> None:
    suffixes: filters.BaseFilter = filters.Document.FileExtension(SUFFIXES[0].lstrip("."))
    for suffix in SUFFIXES[1:]:
        suffixes = suffixes | filters.Document.FileExtension(suffix.lstrip("."))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & suffixes, document_received), group=GROUP
    )
    application.add_handler(
        CallbackQueryHandler(button_pressed, pattern=buttons.pattern(buttons.ImportUpload))
    )
