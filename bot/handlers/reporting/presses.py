"""The report flow's buttons: a task, a status, [跳过], and [提交] / [修改] at the summary.
Button data carries only a task id or a status: what the user may do is decided again on the
server from who they are."""

from __future__ import annotations

from telegram import Update

from bot.access import Caller, contact, guarded, load_flow, refuse
from bot.context import BotContext
from bot.handlers.report_texts import texts
from bot.handlers.reporting.steps import FLOW, advance, draft_of, go_to, period_of, step_of
from bot.handlers.reporting.submitting import submit_draft
from messages import buttons
from services.periods import open_period
from services.reporting import ReportRefused, resolve_task


@guarded(contact, private=True)
async def task_chosen(update: Update, context: BotContext, who: Caller) -> None:
    """A task button: `ti:<task id>`, or `rt:<number>` under messages sent before plans had
    codes (read within the unit's owed tasks)."""
    query = update.callback_query
    assert query is not None
    button = buttons.decode(query.data)
    if not isinstance(button, buttons.PickTask | buttons.LegacyTask):
        await refuse(update, who.lang)
        return
    runtime = context.runtime
    if isinstance(button, buttons.LegacyTask):
        number, task_id = button.number, None
    else:
        number, task_id = 0, button.task_id
    try:
        async with runtime.session() as session:
            period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
            _, owed = await resolve_task(
                session, who.identity, period, number=number, task_id=task_id, **runtime.as_of()
            )
    except ReportRefused as refused:
        await query.answer(texts(refused.key, who.lang, **refused.values), show_alert=True)
        return
    await query.answer()
    task = owed.task
    data = {
        "number": task.number, "task_id": task.id, "plan": owed.plan_code,
        "period": period.key, "title": task.text,
    }  # fmt: skip
    await go_to(context, who, data, "status")


@guarded(contact)
async def status_chosen(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    data = await load_flow(context, who, FLOW)
    button = buttons.as_(query.data, buttons.PickStatus)
    if data is None or data.get("step") != "status" or button is None:
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    data["status"] = button.status.value
    await advance(context, who, data)


@guarded(contact)
async def skip_step(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    data = await load_flow(context, who, FLOW)
    step = step_of(data) if data is not None else None
    if data is None or step is None or not step.skippable:
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    await advance(context, who, data)


@guarded(contact)
async def confirm_chosen(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    data = await load_flow(context, who, FLOW)
    if data is None or data.get("step") != "confirm":
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    button = buttons.as_(query.data, buttons.Confirm)
    if button is None:
        await refuse(update, who.lang)
        return
    if button.action == "e":
        data.pop("title", None)
        await go_to(context, who, data, "status")
        return
    await submit_draft(
        update, context, who, draft_of(data), query.message.message_id, period_of(data)
    )
