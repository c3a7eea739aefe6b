"""Answering a quarter-end milestone check: a button for the outcome, then an explanation."""

from __future__ import annotations

from typing import Any

from telegram import ForceReply, Update
from telegram.ext import CallbackQueryHandler

from bot.access import Caller, contact, guarded, refuse, save_flow
from bot.context import BotApplication, BotContext
from bot.i18n import Catalog
from ledger.vocab import MilestoneOutcome
from messages import buttons
from services import conversations
from services.milestones import answerable_unit, record_answer, task_number_of
from services.reporting import ReportRefused

FLOW = "milestone"

texts = Catalog(
    {
        "ask_explanation": {
            "zh": "请回复完成情况说明（任务 {number}）：",
            "en": "Reply with an explanation (task {number}):",
        },
        "recorded": {
            "zh": "已记录：任务 {number} 第{quarter}季度目标 — {outcome}。",
            "en": "Recorded: task {number}, Q{quarter} target — {outcome}.",
        },
        "not_your_milestone": {
            "zh": "该节点目标不属于您的单位。",
            "en": "This milestone is not your unit's.",
        },
        "need_text": {"zh": "请发送文字说明。", "en": "Please send a text explanation."},
        "met": {"zh": "已完成", "en": "met"},
        "partly": {"zh": "部分完成", "en": "partly met"},
        "not_met": {"zh": "未完成", "en": "not met"},
    }
)


@guarded(contact, private=True)
async def outcome_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.AnswerMilestone)
    if button is None:
        await refuse(update, who.lang)
        return
    mid, outcome = button.milestone_id, button.outcome.value
    try:
        async with context.runtime.session() as session:
            await answerable_unit(session, who.identity, int(mid), **context.runtime.as_of())
            number = await task_number_of(session, int(mid))
    except ReportRefused as refused:
        await query.answer(texts(refused.key, who.lang), show_alert=True)
        return
    data = {"milestone_id": int(mid), "outcome": outcome, "number": number}
    await save_flow(context, who, FLOW, data)
    await query.answer()
    await context.bot.send_message(
        who.chat_id,
        texts("ask_explanation", who.lang, number=number),
        reply_markup=ForceReply(selective=True),
    )


async def explanation_received(
    update: Update, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(texts("need_text", who.lang))
        return
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            answer = await record_answer(
                session,
                identity=who.identity,
                milestone_id=int(data["milestone_id"]),
                outcome=MilestoneOutcome(data["outcome"]),
                explanation=text[:3000],
                chat_id=who.chat_id,
                **runtime.as_of(),
            )
            await conversations.clear(session, who.identity.user_id)
    except ReportRefused as refused:
        await message.reply_text(texts(refused.key, who.lang))
        return
    await message.reply_text(
        texts(
            "recorded",
            who.lang,
            number=answer.task_number,
            quarter=answer.quarter,
            outcome=texts(answer.outcome.value, who.lang),
        )
    )


def register(application: BotApplication) -> None:
    application.add_handler(
        CallbackQueryHandler(outcome_pressed, pattern=buttons.pattern(buttons.AnswerMilestone))
    )
