"""The report flow's buttons: a task, a status, [跳过], and [提交] / [修改] at the summary.
Button data carries only a task id or a status: what the user may do is decided again on the
server from who they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from telegram import Update

from bot.access import Caller, contact, guarded, load_flow, refuse
from bot.context import BotContext
from bot.handlers.duban_texts import render_support_inputs
from bot.handlers.report_texts import texts
from bot.handlers.reporting.more_texts import edit_keyboard
from bot.handlers.reporting.more_texts import texts as more_texts
from bot.handlers.reporting.steps import (
    FLOW,
    ask,
    draft_of,
    move_to,
    next_step,
    period_of,
    step_of,
    store,
)
from bot.handlers.reporting.submitting import submit_draft
from messages import buttons
from messages.render import esc
from services import conversations
from services.contact_tasks import returned_version
from services.periods import open_period
from services.reporting import ReportRefused, resolve_task
from services.support import inputs_for_lead

_B = TypeVar("_B", bound=buttons.Button)


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
            binding, owed = await resolve_task(
                session, who.identity, period, number=number, task_id=task_id, **runtime.as_of()
            )
            returned = await returned_version(
                session, unit_id=binding.unit_id, task_id=owed.task.id, period=period
            )
            inputs = await inputs_for_lead(
                session, period=period, task_id=owed.task.id, unit_id=binding.unit_id
            )
            task = owed.task
            data: dict[str, Any] = {
                "number": task.number, "task_id": task.id, "plan": owed.plan_code,
                "period": period.key, "title": task.text,
                "support": render_support_inputs(inputs, who.lang, runtime.settings.tz),
            }  # fmt: skip
            if returned is not None:  # starts from the returned version
                data |= {
                    "status": returned.status.value, "progress": returned.progress,
                    "problems": returned.problems, "next_steps": returned.next_steps,
                    "evidence": returned.evidence,
                }  # fmt: skip
            move_to(data, "status" if returned is None else "confirm")
            await store(session, context, who, data)  # read and moved in one unit of work
    except ReportRefused as refused:
        await query.answer(texts(refused.key, who.lang, **refused.values), show_alert=True)
        return
    await query.answer()
    if returned is not None:
        reason = esc(returned.reason) if returned.reason else more_texts("no_reason", who.lang)
        text = more_texts(
            "returned_start", who.lang, number=task.number, version=returned.version, reason=reason
        )
        await context.bot.send_message(who.chat_id, text)
    await ask(context, who, data)


async def _press(
    update: Update,
    context: BotContext,
    who: Caller,
    kind: type[_B],
    move: Callable[[dict[str, Any], _B], str | None],
) -> None:
    """A press on one of the flow's steps, in one unit of work: read the flow, let `move` say
    where the press leads (None: the press is stale), store the flow there. Then, with the
    database free again, answer the press and ask the next question."""
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, kind)
    async with context.runtime.session() as session:
        state = await conversations.load(session, who.identity.user_id)
        data = dict(state.data) if state is not None and state.flow == FLOW else None
        step = move(data, button) if data is not None and button is not None else None
        if data is not None and step is not None:
            move_to(data, step)
            await store(session, context, who, data)
    if data is None or step is None:
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    await ask(context, who, data)


@guarded(contact, private=True)
async def field_chosen(update: Update, context: BotContext, who: Caller) -> None:
    """A field from the edit menu: ask for it again, then come back to the summary."""

    def move(data: dict[str, Any], button: buttons.EditField) -> str | None:
        if data.get("step") != "confirm":
            return None
        data["editing"] = True
        if button.field == "evidence":
            data["evidence"] = []
        return button.field

    await _press(update, context, who, buttons.EditField, move)


@guarded(contact, private=True)
async def status_chosen(update: Update, context: BotContext, who: Caller) -> None:
    def move(data: dict[str, Any], button: buttons.PickStatus) -> str | None:
        if data.get("step") != "status":
            return None
        data["status"] = button.status.value
        return next_step(data)

    await _press(update, context, who, buttons.PickStatus, move)


@guarded(contact, private=True)
async def skip_step(update: Update, context: BotContext, who: Caller) -> None:
    def move(data: dict[str, Any], _: buttons.SkipStep) -> str | None:
        step = step_of(data)
        return next_step(data) if step is not None and step.skippable else None

    await _press(update, context, who, buttons.SkipStep, move)


@guarded(contact, private=True)
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
        text = more_texts("edit_which", who.lang)
        await context.bot.send_message(who.chat_id, text, reply_markup=edit_keyboard(who.lang))
        return
    await submit_draft(
        update, context, who, draft_of(data), query.message.message_id, period_of(data)
    )
