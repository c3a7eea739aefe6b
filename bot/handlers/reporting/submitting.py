"""Submitting a finished draft: from the flow's [提交] and from `/report N status text`; when
task N is owed under several plans, the draft is kept and the plan asked for with buttons."""

from __future__ import annotations

from telegram import Update

from bot.access import Caller, contact, guarded, known, load_flow, save_flow
from bot.context import BotContext
from bot.handlers import entry_messages
from bot.handlers.report_texts import plan_choice_keyboard, texts
from bot.handlers.reporting.steps import FLOW, period_of
from ledger.periods import Period
from ledger.reports import ReportSyntaxError, parse_report
from ledger.vocab import EntryStatus
from messages import buttons
from services import conversations, form_drafts
from services.periods import open_period
from services.reporting import AmbiguousTask, Draft, Recorded, ReportRefused, Source, submit


@guarded(known, private=True)
async def report_command(update: Update, context: BotContext, who: Caller) -> None:
    """`/report <task number> <status> <text>`: one line, one entry."""
    message = update.effective_message
    assert message is not None
    if not who.identity.is_contact:  # staff and principals are told why, strangers were refused
        await message.reply_text(texts("not_contact", who.lang))
        return
    arguments = (message.text or "").partition(" ")[2]
    try:
        line = parse_report(arguments)
    except ReportSyntaxError as bad:
        await message.reply_text(texts(bad.key, who.lang))
        return
    draft = Draft(line.task_number, line.status, line.text, plan_code=line.plan_code)
    await submit_draft(update, context, who, draft, message.message_id, period=None)


async def submit_draft(
    update: Update,
    context: BotContext,
    who: Caller,
    draft: Draft,
    message_id: int | None,
    period: Period | None,
) -> Recorded | None:
    runtime = context.runtime
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    now = runtime.clock.now()
    try:
        async with runtime.session() as session:
            period = period or await open_period(session, now=now, tz=runtime.settings.tz)
            recorded = await submit(
                session,
                identity=who.identity,
                draft=draft,
                period=period,
                source=Source(user.id, user.full_name, who.chat_id, message_id, now),
                rules=runtime.settings.calendar_rules(),
                tz=runtime.settings.tz,
            )
            await form_drafts.discard_submitted(session, user.id, recorded.entry)
            await conversations.clear(session, user.id)
            queued = await entry_messages.queue_after_submit(
                session, runtime, who, recorded, draft.task_number
            )
    except AmbiguousTask as ambiguous:
        await _ask_plan(update, context, who, draft, message_id, period, ambiguous)
        return None
    except ReportRefused as refused:
        await update.effective_message.reply_text(texts(refused.key, who.lang, **refused.values))
        return None
    runtime.wake_dispatcher()  # the confirmation and the 审定 requests are outbox rows
    if not queued:
        await update.effective_message.reply_text(texts("duplicate", who.lang))
    return recorded


async def _ask_plan(
    update: Update,
    context: BotContext,
    who: Caller,
    draft: Draft,
    message_id: int | None,
    period: Period | None,
    ambiguous: AmbiguousTask,
) -> None:
    """Task N is owed under several plans: keep the draft, ask which plan with buttons."""
    assert update.effective_message is not None
    data = {
        "step": "plan",
        "period": period.key if period else None,
        "message_id": message_id,
        "draft": {
            "task_number": draft.task_number, "status": draft.status.value,
            "progress": draft.progress, "problems": draft.problems,
            "next_steps": draft.next_steps, "evidence": list(draft.evidence),
        },
    }  # fmt: skip
    await save_flow(context, who, FLOW, data)
    await update.effective_message.reply_text(
        texts("ambiguous_task", who.lang, number=ambiguous.number),
        reply_markup=plan_choice_keyboard(ambiguous.options),
    )


@guarded(contact, private=True)
async def plan_chosen(update: Update, context: BotContext, who: Caller) -> None:
    """The plan button under "several plans have task N": submit the kept draft for it."""
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.PickPlan)
    data = await load_flow(context, who, FLOW)
    if button is None or data is None or data.get("step") != "plan":
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    kept = dict(data["draft"])
    draft = Draft(
        task_number=int(kept["task_number"]),
        status=EntryStatus(kept["status"]),
        progress=kept.get("progress") or "",
        problems=kept.get("problems"),
        next_steps=kept.get("next_steps"),
        evidence=list(kept.get("evidence") or []),
        task_id=button.task_id,
    )
    await submit_draft(update, context, who, draft, data.get("message_id"), period_of(data))
