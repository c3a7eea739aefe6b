"""交办/签收: the assignment message a unit's contacts get when a plan is imported (its lead and
supported tasks, deadlines, quarter targets, [签收]) and the [签收] press: recorded with who and
when; the pressed message shows it and loses its button; a second press says it was done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler

from bot.access import Caller, guarded
from bot.context import BotApplication, BotContext
from messages import buttons
from messages.i18n import Catalog
from messages.render import esc, split_message
from messages.task_lines import task_lines
from services.assignments import Assigned, AssignmentRefused, acknowledge
from services.due import Recipient

texts = Catalog(
    {
        "assignment": {
            "zh": "<b>交办</b>：{plan}\n{unit} 承担以下任务：\n{tasks}\n请点击“签收”确认。",
            "en": "<b>Assignment</b>: {plan}\n{unit} is responsible for:\n{tasks}\n"
            "Please acknowledge.",
        },
        "targets": {"zh": "节点目标：", "en": "Quarter targets:"},
        "target": {"zh": "{number}. {targets}", "en": "{number}. {targets}"},
        "acknowledge": {"zh": "签收", "en": "Acknowledge"},
        "acknowledged": {"zh": "✅ 已签收（{at}）", "en": "✅ Acknowledged ({at})"},
        "already_acknowledged": {"zh": "已签收（{at}）。", "en": "Acknowledged already ({at})."},
        "not_yours": {
            "zh": "抱歉，您无权使用此功能。如需使用，请联系市同城化发展工作局。",
            "en": "Sorry, you are not allowed to do this. Please contact the bureau.",
        },
        "unacknowledged": {"zh": "⚪ 未签收交办：{units}", "en": "⚪ not acknowledged: {units}"},
    }
)


def assignment_payload(r: Recipient, assigned: Assigned, default_lang: str) -> dict[str, Any]:
    """The 交办 message to one contact, with [签收]."""
    lang = r.language or default_lang
    lines = task_lines(assigned.items, lang).split("\n")
    for index, item in enumerate(assigned.items):  # quarter targets under each task's line
        if item.key in assigned.targets:
            extra = texts("targets", lang, targets=esc("；".join(assigned.targets[item.key])))
            lines = [
                line + extra if line.startswith(f"{item.number}. ") else line for line in lines
            ]
        del index
    text = texts("assignment", lang, plan=esc(assigned.plan_title), unit=esc(assigned.unit),
                 tasks="\n".join(lines))  # fmt: skip
    key = InlineKeyboardButton(texts("acknowledge", lang),
                               callback_data=buttons.encode(buttons.Acknowledge(
                                   assigned.assignment_id)))  # fmt: skip
    return {"text": split_message(text)[0], "parse_mode": "HTML",
            "reply_markup": InlineKeyboardMarkup([[key]]).to_dict(), "meta": {}}  # fmt: skip


def unacknowledged_line(units: list[str], lang: str) -> str:
    return texts("unacknowledged", lang, units="、".join(units)) if units else ""


@guarded(private=True)
async def acknowledge_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.Acknowledge)
    if button is None:
        await query.answer()
        return
    runtime = context.runtime
    tz = runtime.settings.tz
    try:
        async with runtime.session() as session:
            row, _unit = await acknowledge(session, assignment_id=button.assignment_id,
                                           identity=who.identity, now=runtime.clock.now(),
                                           chat_id=who.chat_id)  # fmt: skip
    except AssignmentRefused as refused:
        at = refused.values.get("at")
        when = at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else ""
        await query.answer(texts(refused.key, who.lang, at=when), show_alert=True)
        return
    assert row.acknowledged_at is not None
    when = row.acknowledged_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    await query.answer()
    shown = query.message.text_html if isinstance(query.message, Message) else ""
    outcome = texts("acknowledged", who.lang, at=when)
    await query.edit_message_text(f"{shown}\n\n{outcome}", parse_mode=ParseMode.HTML,
                                  reply_markup=None)  # fmt: skip


def register(application: BotApplication) -> None:
    application.add_handler(
        CallbackQueryHandler(acknowledge_pressed, pattern=buttons.pattern(buttons.Acknowledge))
    )
