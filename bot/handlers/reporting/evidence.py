"""Photos and documents sent during a report: kept with the draft (Telegram file ids); a
caption answers the step that takes text."""

from __future__ import annotations

from telegram import Message, Update

from bot.access import Caller, contact, guarded, load_flow, save_flow
from bot.context import BotContext
from bot.handlers.report_texts import texts
from bot.handlers.reporting.steps import FLOW, advance, step_of
from ledger.reports import clean_text


@guarded(contact)
async def evidence_received(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    data = await load_flow(context, who, FLOW)
    if data is None:
        await message.reply_text(texts("evidence_no_flow", who.lang))
        return
    data.setdefault("evidence", []).append(evidence_of(message))
    step = step_of(data)
    if message.caption and step is not None and step.field is not None:
        data[step.field] = clean_text(message.caption)
        await advance(context, who, data)
    else:
        await save_flow(context, who, FLOW, data)
    await message.reply_text(texts("evidence_saved", who.lang))


def evidence_of(message: Message) -> dict[str, str | None]:
    if message.photo:
        photo = message.photo[-1]
        return {
            "kind": "photo",
            "file_id": photo.file_id,
            "file_unique_id": photo.file_unique_id,
            "file_name": None,
            "caption": message.caption,
        }
    document = message.document
    assert document is not None
    return {
        "kind": "document",
        "file_id": document.file_id,
        "file_unique_id": document.file_unique_id,
        "file_name": document.file_name,
        "caption": message.caption,
    }
