"""审定: a unit's principal approves a submitted entry or returns it with a reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, Update
from telegram.ext import CallbackQueryHandler

from bot.access import Caller, guarded, principal, refuse, save_flow
from bot.context import BotApplication, BotContext
from bot.handlers import entry_messages
from bot.handlers.report_texts import texts
from messages import buttons
from models import ProgressEntry, Task
from services import conversations
from services.reporting import ReportRefused
from services.reviewing import review, reviewable

FLOW = "return"


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
    """Store the review and queue its messages (to the reviewer, to the reporter) with it."""
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
            await entry_messages.queue_after_review(session, runtime, who, reviewed, note)
    except ReportRefused as refused:
        await _say(update, context, who, texts(refused.key, who.lang))
        return
    runtime.wake_dispatcher()
    if update.callback_query:
        await update.callback_query.answer()


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
