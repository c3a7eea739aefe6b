"""A typed reason for a send-back: staff's [不同意] on a 延期申请, the principal's or staff's
[退回] on a 销号. The press asks for the reason with a reply prompt and waits in the persisted
conversation (the way a principal returns an entry, bot.handlers.approval); the decision is
taken when the text arrives, and the pressed message is edited through the outbox then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, Message, Update
from telegram.constants import ParseMode

from bot.access import Caller, save_flow
from bot.context import BotContext
from messages.i18n import Catalog
from messages.render import esc, split_message
from services import conversations
from services.outbox import NewMessage, enqueue_many

# The send-back itself, in the reason's transaction: it returns the messages to queue with it.
SendBack = Callable[[AsyncSession, str, datetime], Awaitable[list[NewMessage]]]

FLOW = "sendback"
EXTENSION, CLOSURE = "extension", "closure"

texts = Catalog(
    {
        "ask_extension": {
            "zh": "请回复不同意延期的原因（{unit} 任务 {number}）：",
            "en": "Reply with the reason for declining the extension ({unit}, task {number}):",
        },
        "ask_closure": {
            "zh": "请回复退回销号申请的原因（{unit} 任务 {number}）：",
            "en": "Reply with the reason for sending back the closing ({unit}, task {number}):",
        },
        "need_reason": {
            "zh": "请发送退回原因（文字）。",
            "en": "Please send the reason as text.",
        },
    }
)


async def ask(
    update: Update, context: BotContext, who: Caller, *, kind: str, item_id: int, step: str,
    unit: str, number: int,
) -> None:  # fmt: skip
    """Remember what is being sent back (and the pressed message, to edit it later), then ask
    for the reason; nothing is decided yet."""
    query = update.callback_query
    assert query is not None
    pressed = query.message if isinstance(query.message, Message) else None
    data: dict[str, Any] = {
        "kind": kind, "id": item_id, "step": step,
        "message_id": pressed.message_id if pressed else None,
        "shown": pressed.text_html if pressed else "",
    }  # fmt: skip
    await save_flow(context, who, FLOW, data)
    await query.answer()
    await context.bot.send_message(
        who.chat_id,
        texts(f"ask_{kind}", who.lang, unit=esc(unit), number=number),
        parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(selective=True),
    )


async def drop(context: BotContext, who: Caller) -> None:
    """Leave the flow: the send-back it waited for was refused."""
    async with context.runtime.session() as session:
        await conversations.clear(session, who.identity.user_id)


async def typed_reason(update: Update, who: Caller) -> str | None:
    """The reason as typed, or None after saying one line (an empty or non-text message)."""
    message = update.effective_message
    assert message is not None
    reason = (message.text or "").strip()
    if not reason:
        await message.reply_text(texts("need_reason", who.lang))
        return None
    return reason


async def send_back(
    update: Update,
    context: BotContext,
    who: Caller,
    take: SendBack,
    refused: type[Exception],
    refusal: Callable[[Any], str],
) -> None:
    """The typed reason arrived: leave the flow and take the send-back in one transaction with
    the messages it queues; a `refused` decision leaves the flow and says `refusal(error)`."""
    reason = await typed_reason(update, who)
    if reason is None:
        return
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            await conversations.clear(session, who.identity.user_id)
            await enqueue_many(session, await take(session, reason, runtime.clock.now()))
    except refused as error:
        await drop(context, who)
        await context.bot.send_message(who.chat_id, refusal(error))
        return
    runtime.wake_dispatcher()


def edit_pressed(
    kind: str, tag: str, who: Caller, data: dict[str, Any], outcome: str, now: Any
) -> list[NewMessage]:
    """The pressed message shown decided (its text, then the outcome) and without buttons: an
    outbox row, since the button's answer is long gone when the reason arrives."""
    message_id = data.get("message_id")
    if not message_id:
        return []
    text = split_message(f"{data.get('shown') or ''}\n\n{outcome}".strip())[0]
    payload = {"text": text, "parse_mode": "HTML", "edit_message_id": int(message_id)}
    recipient = f"m{who.chat_id}:{message_id}"
    return [NewMessage(kind, tag, recipient, who.chat_id, payload, now)]
