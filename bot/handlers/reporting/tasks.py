"""/tasks (what the caller's units owe this period, each with its state, and a button per
task) and /cancel."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.access import Caller, bound, guarded
from bot.context import BotContext
from bot.handlers.report_texts import texts
from bot.handlers.reporting.more_texts import texts as more_texts
from bot.handlers.reporting.steps import FLOW
from ledger.periods import Period
from ledger.task_state import task_state_label
from messages.keyboards import task_keyboard
from messages.render import esc, split_message
from services import conversations
from services.contact_tasks import TaskLine, tasks_with_states
from services.periods import open_period


@guarded(bound, private=True)
async def tasks_command(update: Update, context: BotContext, who: Caller) -> None:
    """Each unit's owed tasks this period with their state (未报, 草稿, 待审定, …); a contact
    gets a button per task."""
    runtime = context.runtime
    async with runtime.session() as session:
        period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
        state = await conversations.load(session, who.identity.user_id)
        drafting = state.data.get("task_id") if state is not None and state.flow == FLOW else None
        for binding in who.identity.bindings:
            lines = await tasks_with_states(
                session, binding, period, drafting=drafting, **runtime.as_of()
            )
            await _send_tasks(
                update, who, binding.unit_name, period, lines, binding.role == "contact"
            )


async def _send_tasks(
    update: Update, who: Caller, unit: str, period: Period, lines: list[TaskLine], buttons: bool
) -> None:
    assert update.effective_message
    if not lines:
        await update.effective_message.reply_text(texts("no_tasks", who.lang, unit=unit))
        return
    text = [texts("tasks_header", who.lang, unit=esc(unit), period=period.key)]
    plan = None
    for line in lines:
        owed = line.owed
        if owed.plan_code != plan:
            plan = owed.plan_code
            text.append(texts("plan_tasks_header", who.lang, plan=esc(plan)))
        state = task_state_label(line.state, who.lang, closed_on=line.closed_on,
                                 extended_until=line.extended_until)  # fmt: skip
        text.append(
            more_texts("task_line", who.lang, number=owed.task.number, text=esc(owed.task.text),
                       state=state)
        )  # fmt: skip
    parts = split_message("\n".join(text))
    tasks = [(li.owed.task.id, li.owed.task.number, li.owed.task.text, li.owed.plan_code)
             for li in lines]  # fmt: skip
    keyboard = task_keyboard(tasks) if buttons else None
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
