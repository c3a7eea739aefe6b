"""Free text in a private chat: the next answer of whichever flow the sender is in, several
numbered tasks at once, a reply to a prompt, or — for anything else — a short answer saying
what was expected, with the task buttons."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot.access import Caller, guarded, known, load_flow, save_flow
from bot.context import BotContext
from bot.handlers import approval, duban_close, duban_extend, milestones, sendback_reason
from bot.handlers.report_texts import texts
from bot.handlers.reporting.more_texts import texts as more_texts
from bot.handlers.reporting.several import several_received
from bot.handlers.reporting.steps import (
    FLOW,
    advance,
    ask,
    go_to,
    move_to,
    next_step,
    step_of,
    store,
)
from ledger.reports import clean_text, split_field, split_status
from ledger.task_numbers import numbered_parts, split_task_number
from messages import buttons
from messages.keyboards import task_keyboard
from models import ConversationState
from services import conversations
from services.periods import open_period
from services.prompts import PromptRef, tasks_of_prompt
from services.reporting import reportable_tasks


@guarded(known)
async def text_received(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    async with context.runtime.session() as session:
        state = await conversations.load(session, who.identity.user_id)
        answered = _typed_answer(state, message) if state is not None else None
        if answered is not None:  # the usual case: read and moved in one unit of work
            await store(session, context, who, answered)
    if answered is not None:
        await ask(context, who, answered)
        return
    if state is not None and state.flow == approval.FLOW:
        await approval.reason_received(update, context, who, dict(state.data))
        return
    if state is not None and state.flow == sendback_reason.FLOW:
        sent_back = (
            duban_close if state.data.get("kind") == sendback_reason.CLOSURE else duban_extend
        )
        await sent_back.reason_received(update, context, who, dict(state.data))
        return
    if state is not None and state.flow == milestones.FLOW:
        await milestones.explanation_received(update, context, who, dict(state.data))
        return
    if state is not None and state.flow == FLOW:
        await _answer_step(update, context, who, dict(state.data))
        return
    text = clean_text(message.text or "")
    if who.identity.is_contact and (parts := numbered_parts(text)):
        await several_received(update, context, who, parts)
        return
    if message.reply_to_message and await _reply_to_prompt(update, context, who, message):
        return
    await not_understood(context, who)


async def not_understood(context: BotContext, who: Caller) -> None:
    """Never a dead end: what the bot expected, and (for a contact) the tasks to tap."""
    if not who.identity.is_contact:
        await context.bot.send_message(who.chat_id, texts("not_understood", who.lang))
        return
    runtime = context.runtime
    async with runtime.session() as session:
        period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
        owed = [
            o
            for binding in who.identity.bindings
            if binding.role == "contact"
            for o in await reportable_tasks(session, binding, period, **runtime.as_of())
        ]
    keyboard = task_keyboard([(o.task.id, o.task.number, o.task.text, o.plan_code) for o in owed])
    await context.bot.send_message(
        who.chat_id, more_texts("not_understood", who.lang), reply_markup=keyboard if owed else None
    )


def _typed_answer(state: ConversationState, message: Message) -> dict[str, Any] | None:
    """The report flow moved on by a text answering a step that takes text; None for every
    other case (another flow, a button step, the summary, an empty text)."""
    data = dict(state.data) if state.flow == FLOW else {}
    step = step_of(data)
    text = clean_text(message.text or "")
    if step is None or step.field is None or step.name == "confirm" or not text:
        return None
    data[step.field] = text
    data["answered"] = {**data.get("answered", {}), str(message.message_id): step.field}
    move_to(data, next_step(data))
    return data


async def _answer_step(
    update: Update, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    """Typed text answers a step that takes text; at the summary it may replace one field
    (`问题：…`); at a button step the question is asked again, with a hint at the summary."""
    message = update.effective_message
    assert message is not None
    step = step_of(data)
    text = clean_text(message.text or "")
    if step is None:  # waiting for a plan button
        await not_understood(context, who)
        return
    if step.name == "confirm":
        correction = split_field(text)
        if correction is None:
            await message.reply_text(more_texts("summary_hint", who.lang))
            await ask(context, who, data)
            return
        field, value = correction
        data[field] = value
        data.setdefault("answered", {})[str(message.message_id)] = field
        await go_to(context, who, data, "confirm")
        return
    if step.field is None:
        await ask(context, who, data)
        return
    if not text:
        await message.reply_text(texts("need_text", who.lang))
        return
    data[step.field] = text
    data.setdefault("answered", {})[str(message.message_id)] = step.field
    await advance(context, who, data)


@guarded(known, private=True)
async def edited_received(update: Update, context: BotContext, who: Caller) -> None:
    """An answer edited while its report is still a draft replaces that answer; any other
    edit is not recorded, and the sender is told how to correct instead."""
    message = update.edited_message
    assert message is not None
    data = await load_flow(context, who, FLOW)
    field = (data or {}).get("answered", {}).get(str(message.message_id))
    text = clean_text(message.text or "")
    if data is None or field is None or not text:
        await context.bot.send_message(who.chat_id, more_texts("edit_not_recorded", who.lang))
        return
    data[field] = text
    if data.get("step") == "confirm":
        await go_to(context, who, data, "confirm")  # the summary again, with the new answer
        return
    await save_flow(context, who, FLOW, data)
    label = more_texts(f"field_{field}", who.lang)
    await context.bot.send_message(who.chat_id, more_texts("edit_applied", who.lang, field=label))


async def _reply_to_prompt(
    update: Update, context: BotContext, who: Caller, message: Message
) -> bool:
    """A reply to a prompt about one task is that task's progress; a reply to a prompt listing
    several is the progress of the task its text starts with (`5. 序时推进 …`)."""
    assert message.reply_to_message is not None
    prompt = await _prompt_replied_to(context, who, message.reply_to_message)
    text = clean_text(message.text or "")
    if prompt is None or not prompt.task_numbers or not who.identity.is_contact or not text:
        return False
    numbers, ids = prompt.task_numbers, prompt.task_ids
    data: dict[str, Any] = {"period": prompt.period}
    data["answered"] = {str(message.message_id): "progress"}
    if len(numbers) == 1:
        data |= {"number": numbers[0], "progress": text}
        number = numbers[0]
    else:
        split = split_task_number(text)
        if split is None or split[0].number not in numbers:
            return False
        number = split[0].number
        status, progress = split_status(split[1])
        if not progress:
            return False
        data |= {"number": number, "progress": progress}
        if status is not None:
            data["status"] = status.value
    if numbers.count(number) == 1 and len(ids) == len(numbers):
        data["task_id"] = ids[numbers.index(number)]
    await go_to(context, who, data, "confirm" if "status" in data else "status")
    return True


async def _prompt_replied_to(
    context: BotContext, who: Caller, replied: Message
) -> PromptRef | None:
    """The prompt a reply answers: from the outbox, or — if the reply came before the
    dispatcher recorded the prompt's message id — from the prompt's own task buttons."""
    runtime = context.runtime
    async with runtime.session() as session:
        prompt = await tasks_of_prompt(session, who.chat_id, replied.message_id)
        from_bot = replied.from_user is not None and replied.from_user.id == context.bot.id
        numbers, ids = _task_buttons(replied) if from_bot else ([], [])
        if prompt is None and numbers:
            period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
            prompt = PromptRef(period.key, numbers, ids)
    return prompt


def _task_buttons(message: Message) -> tuple[list[int], list[int]]:
    """(task numbers, task ids) of the task buttons under one of the bot's messages: `ti:<id>`
    buttons (their label starts with the number), or older `rt:N` ones."""
    markup = message.reply_markup
    keys = [b for row in markup.inline_keyboard for b in row] if markup else []
    numbers, ids = [], []
    for key in keys:
        button = buttons.decode(str(key.callback_data))
        if isinstance(button, buttons.LegacyTask):
            numbers.append(button.number)
        elif isinstance(button, buttons.PickTask):
            label = key.text.partition(". ")[0].rpartition("/")[2]
            if label.isascii() and label.isdigit():
                ids.append(button.task_id)
                numbers.append(int(label))
    return numbers, ids
