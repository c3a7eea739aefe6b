"""/tasks (what the caller's units owe this period, with a button per task) and /cancel."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.access import Caller, bound, guarded
from bot.context import BotContext
from bot.handlers.report_texts import texts
from ledger.periods import Period
from messages.keyboards import task_keyboard
from messages.render import esc, split_message
from services import conversations
from services.periods import open_period
from services.reporting import OwedTask, reportable_tasks


@guarded(bound, private=True)
async def tasks_command(update: Update, context: BotContext, who: Caller) -> None:
    runtime = context.runtime
    async with runtime.session() as session:
        period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
        for binding in who.identity.bindings:
            tasks = await reportable_tasks(session, binding, period, **runtime.as_of())
            await _send_tasks(
                update, who, binding.unit_name, period, tasks, binding.role == "contact"
            )


async def _send_tasks(
    update: Update, who: Caller, unit: str, period: Period, tasks: list[OwedTask], buttons: bool
) -> None:
    assert update.effective_message
    if not tasks:
        await update.effective_message.reply_text(texts("no_tasks", who.lang, unit=unit))
        return
    lines = [texts("tasks_header", who.lang, unit=esc(unit), period=period.key)]
    plan = None
    for owed in tasks:
        if owed.plan_code != plan:
            plan = owed.plan_code
            lines.append(texts("plan_tasks_header", who.lang, plan=esc(plan)))
        lines.append(f"{owed.task.number}. {esc(owed.task.text)}")
    parts = split_message("\n".join(lines))
    keyboard = (
        task_keyboard([(o.task.id, o.task.number, o.task.text, o.plan_code) for o in tasks])
        if buttons
        else None
    )
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await update.effective_message.reply_text(
            part, parse_mode=ParseMode.HTML, reply_markup=keyboard if last else None
        )


@guarded(private=True)
async def cancel(update: Update, context: BotContext, who: Caller) -> None:
    assert update.effective_message is not None
    async with context.runtime.session() as session:
        had = await conversations.load(session, who.identity.user_id) is not None
        await conversations.clear(session, who.identity.user_id)
    await update.effective_message.reply_text(
        texts("cancelled" if had else "nothing_to_cancel", who.lang)
    )
