"""审定: a unit's principal approves a submitted entry or returns it with a reason."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.access import Caller, guarded, principal, refuse, save_flow
from bot.context import BotApplication, BotContext
from bot.handlers.report_texts import approval_keyboard, or_none, status_text, texts
from messages import buttons
from messages.render import esc
from models import ProgressEntry, Task
from services import conversations
from services.identity import language_of
from services.reporting import Recorded, ReportRefused, review, reviewable

FLOW = "return"
log = logging.getLogger(__name__)


async def request(context: BotContext, recorded: Recorded, number: int, lang: str) -> None:
    """Send a submitted entry to each principal of its unit, with the two buttons."""
    entry = recorded.entry
    runtime = context.runtime
    for reviewer in recorded.principals:
        async with runtime.session() as session:
            their_lang = await language_of(session, reviewer, runtime.settings.locale)
        text = texts(
            "approval_request",
            their_lang,
            unit=esc(recorded.unit_name),
            period=entry.period,
            number=number,
            version=entry.version,
            status=status_text(entry.status, their_lang),
            progress=or_none(entry.progress, their_lang),
            problems=or_none(entry.problems, their_lang),
            next_steps=or_none(entry.next_steps, their_lang),
            reporter=esc(entry.reporter_name or entry.reporter_user_id),
        )
        try:
            await context.bot.send_message(
                reviewer,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=approval_keyboard(entry.id, their_lang),
            )
        except TelegramError as error:
            log.warning("could not ask principal %s for approval: %s", reviewer, error)


@guarded(principal, private=True)
async def approve_pressed(update: Update, context: BotContext, who: Caller) -> None:
    assert update.callback_query
    button = buttons.as_(update.callback_query.data, buttons.Approve)
    if button is None:
        await refuse(update, who.lang)
        return
    await _review(update, context, who, button.entry_id, approve=True, note=None)


@guarded(principal, private=True)
async def return_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.Return)
    if button is None:
        await refuse(update, who.lang)
        return
    entry_id = button.entry_id
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            entry = await reviewable(session, who.identity, entry_id)
            number = await _number(session, entry)
    except ReportRefused as refused:
        await query.answer(texts(refused.key, who.lang), show_alert=True)
        return
    await save_flow(context, who, FLOW, {"entry_id": entry_id, "number": number})
    await query.answer()
    await context.bot.send_message(
        who.chat_id,
        texts("ask_return_reason", who.lang, number=number),
        reply_markup=ForceReply(selective=True),
    )


async def reason_received(
    update: Update, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    message = update.effective_message
    assert message is not None
    reason = (message.text or "").strip()
    if not reason:
        await message.reply_text(texts("need_text", who.lang))
        return
    await _review(update, context, who, int(data["entry_id"]), approve=False, note=reason)


async def _review(
    update: Update,
    context: BotContext,
    who: Caller,
    entry_id: int,
    approve: bool,
    note: str | None,
) -> None:
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            reviewed = await review(
                session,
                identity=who.identity,
                entry_id=entry_id,
                approve=approve,
                note=note,
                now=runtime.clock.now(),
                chat_id=who.chat_id,
            )
            await conversations.clear(session, who.identity.user_id)
            reporter = reviewed.entry.reporter_user_id
            reporter_lang = (
                await language_of(session, reporter, runtime.settings.locale) if reporter else "zh"
            )
    except ReportRefused as refused:
        await _say(update, context, who, texts(refused.key, who.lang))
        return
    key = "approved" if approve else "returned"
    await _say(
        update,
        context,
        who,
        texts(key, who.lang, unit=reviewed.unit_name, number=reviewed.task_number),
    )
    if reporter:
        notice = texts(
            f"{key}_notice",
            reporter_lang,
            number=reviewed.task_number,
            period=reviewed.entry.period,
            reason=esc(note or ""),
        )
        try:
            await context.bot.send_message(reporter, notice)
        except TelegramError as error:
            log.warning("could not tell reporter %s about the review: %s", reporter, error)


async def _say(update: Update, context: BotContext, who: Caller, text: str) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    await context.bot.send_message(who.chat_id, text)


async def _number(session: AsyncSession, entry: ProgressEntry) -> int:
    task = await session.get(Task, entry.task_id)
    return task.number if task else 0


def register(application: BotApplication) -> None:
    application.add_handler(
        CallbackQueryHandler(approve_pressed, pattern=buttons.pattern(buttons.Approve))
    )
    application.add_handler(
        CallbackQueryHandler(return_pressed, pattern=buttons.pattern(buttons.Return))
    )
