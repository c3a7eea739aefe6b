"""Free text in a private chat: the next answer of whichever flow the sender is in, a reply
to a prompt, or — for anything else — a short answer saying what was expected."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot.access import Caller, guarded, known, save_flow
from bot.context import BotContext
from bot.handlers import approval, milestones
from bot.handlers.report_texts import texts
from bot.handlers.reporting.steps import FLOW, advance, ask, step_of
from ledger.reports import clean_text
from messages import buttons
from services import conversations
from services.periods import open_period
from services.prompts import PromptRef, tasks_of_prompt


@guarded(known)
async def text_received(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    async with context.runtime.session() as session:
        state = await conversations.load(session, who.identity.user_id)
    if state is not None and state.flow == approval.FLOW:
        await approval.reason_received(update, context, who, dict(state.data))
        return
    if state is not None and state.flow == milestones.FLOW:
        await milestones.explanation_received(update, context, who, dict(state.data))
        return
    if state is not None and state.flow == FLOW:
        await _answer_step(update, context, who, dict(state.data))
        return
    if message.reply_to_message and await _reply_to_prompt(update, context, who, message):
        return
    await message.reply_text(texts("not_understood", who.lang))


async def _answer_step(
    update: Update, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    """Typed text answers a step that takes text; at a button step the question is asked
    again."""
    message = update.effective_message
    assert message is not None
    step = step_of(data)
    if step is None:  # waiting for a plan button
        await message.reply_text(texts("not_understood", who.lang))
        return
    if step.field is None:
        await ask(context, who, data)
        return
    text = clean_text(message.text or "")
    if not text:
        await message.reply_text(texts("need_text", who.lang))
        return
    data[step.field] = text
    await advance(context, who, data)


async def _reply_to_prompt(
    update: Update, context: BotContext, who: Caller, message: Message
) -> bool:
    """A reply to a monthly prompt about one task records the text and asks for the status."""
    assert message.reply_to_message is not None
    prompt = await _prompt_replied_to(context, who, message.reply_to_message)
    if prompt is None or len(prompt.task_numbers) != 1 or not who.identity.is_contact:
        return False
    text = clean_text(message.text or "")
    if not text:
        return False
    data: dict[str, Any] = {
        "step": "status",
        "number": prompt.task_numbers[0],
        "period": prompt.period,
        "progress": text,
    }
    if len(prompt.task_ids) == 1:
        data["task_id"] = prompt.task_ids[0]
    await save_flow(context, who, FLOW, data)
    await ask(context, who, data)
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
