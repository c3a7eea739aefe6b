"""Reporting in private chats: /tasks, /report, the step-by-step flow and replies to prompts.

Every step's state lives in the database (services.conversations), so a restart of the bot
resumes where the contact was. Button data carries only a task number or a status: what the
user may do is decided again on the server from who they are.
"""

from __future__ import annotations

from typing import Any

from telegram import ForceReply, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import buttons
from bot.access import (
    Caller,
    bound,
    contact,
    guarded,
    known,
    load_flow,
    refuse,
    save_flow,
)
from bot.context import BotApplication, BotContext
from bot.handlers import approval, entry_messages, milestones
from bot.handlers.report_texts import (
    confirm_keyboard,
    or_none,
    plan_choice_keyboard,
    skip_keyboard,
    status_keyboard,
    status_text,
    task_keyboard,
    texts,
)
from bot.render import esc, split_message
from ledger.periods import Period
from ledger.reports import ReportSyntaxError, clean_text, parse_report
from ledger.vocab import EntryStatus
from services import conversations
from services.periods import open_period
from services.prompts import PromptRef, tasks_of_prompt
from services.reporting import (
    AmbiguousTask,
    Draft,
    OwedTask,
    Recorded,
    ReportRefused,
    Source,
    reportable_tasks,
    resolve_task,
    submit,
)

FLOW = "report"
OPTIONAL_STEPS = {"problems": "next_steps", "next_steps": "confirm"}


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
    await _submit(update, context, who, draft, message.message_id, period=None)


async def _submit(
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
    period = Period.parse(data["period"]) if data.get("period") else None
    await _submit(update, context, who, draft, data.get("message_id"), period)


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
                session,
                who.identity,
                period,
                number=number,
                task_id=task_id,
                **runtime.as_of(),
            )
    except ReportRefused as refused:
        await query.answer(texts(refused.key, who.lang, **refused.values), show_alert=True)
        return
    task = owed.task
    data = {
        "step": "status", "number": task.number, "task_id": task.id, "plan": owed.plan_code,
        "period": period.key,
    }  # fmt: skip
    await save_flow(context, who, FLOW, data)
    await query.answer()
    await context.bot.send_message(
        who.chat_id,
        texts("pick_status", who.lang, number=task.number, text=esc(task.text)),
        reply_markup=status_keyboard(who.lang),
        parse_mode=ParseMode.HTML,
    )


@guarded(contact)
async def status_chosen(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    data = await load_flow(context, who, FLOW)
    button = buttons.as_(query.data, buttons.PickStatus)
    if data is None or data.get("step") != "status" or button is None:
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    status = button.status.value
    await query.answer()
    data["status"] = status
    if data.get("progress"):  # reply to a prompt, or an edit: the text is already there
        data["step"] = "confirm"
        await save_flow(context, who, FLOW, data)
        await _send_summary(context, who, data)
        return
    data["step"] = "progress"
    await save_flow(context, who, FLOW, data)
    await _ask(
        context,
        who,
        texts(
            "ask_progress", who.lang, number=data["number"], status=status_text(status, who.lang)
        ),
    )


@guarded(contact)
async def skip_step(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    data = await load_flow(context, who, FLOW)
    if data is None or data.get("step") not in OPTIONAL_STEPS:
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    await _advance(context, who, data)


async def _advance(context: BotContext, who: Caller, data: dict[str, Any]) -> None:
    data["step"] = OPTIONAL_STEPS.get(data["step"], "problems")
    await save_flow(context, who, FLOW, data)
    if data["step"] == "confirm":
        await _send_summary(context, who, data)
    else:
        await _ask(context, who, texts(f"ask_{data['step']}", who.lang), skippable=True)


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
        data["step"] = "status"
        await save_flow(context, who, FLOW, data)
        await context.bot.send_message(
            who.chat_id,
            texts("pick_status", who.lang, number=data["number"], text=""),
            reply_markup=status_keyboard(who.lang),
        )
        return
    draft = Draft(
        task_number=int(data["number"]),
        status=EntryStatus(data["status"]),
        progress=data.get("progress") or "",
        problems=data.get("problems"),
        next_steps=data.get("next_steps"),
        evidence=list(data.get("evidence", [])),
        plan_code=data.get("plan"),
        task_id=data.get("task_id"),
    )
    await _submit(
        update, context, who, draft, query.message.message_id, Period.parse(data["period"])
    )


@guarded(known)
async def text_received(update: Update, context: BotContext, who: Caller) -> None:
    """Free text in a private chat: the next answer of a flow, a reply to a prompt, or noise."""
    message = update.effective_message
    assert message is not None
    runtime = context.runtime
    async with runtime.session() as session:
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
    message = update.effective_message
    assert message is not None
    text = clean_text(message.text or "")
    step = data.get("step")
    if step == "status":
        await message.reply_text(
            texts("pick_status", who.lang, number=data["number"], text=""),
            reply_markup=status_keyboard(who.lang),
        )
        return
    if step == "confirm":
        await _send_summary(context, who, data)
        return
    if not text:
        await message.reply_text(texts("need_text", who.lang))
        return
    data[str(step)] = text
    await _advance(context, who, data)


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
    await message.reply_text(
        texts("pick_status", who.lang, number=data["number"], text=""),
        reply_markup=status_keyboard(who.lang),
    )
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


@guarded(contact)
async def evidence_received(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    data = await load_flow(context, who, FLOW)
    if data is None:
        await message.reply_text(texts("evidence_no_flow", who.lang))
        return
    item = _evidence_of(message)
    data.setdefault("evidence", []).append(item)
    if message.caption and data.get("step") in ("progress", "problems", "next_steps"):
        data[str(data["step"])] = clean_text(message.caption)
        await _advance(context, who, data)
    else:
        await save_flow(context, who, FLOW, data)
    await message.reply_text(texts("evidence_saved", who.lang))


def _evidence_of(message: Message) -> dict[str, str | None]:
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


@guarded(private=True)
async def cancel(update: Update, context: BotContext, who: Caller) -> None:
    assert update.effective_message is not None
    runtime = context.runtime
    async with runtime.session() as session:
        had = await conversations.load(session, who.identity.user_id) is not None
        await conversations.clear(session, who.identity.user_id)
    await update.effective_message.reply_text(
        texts("cancelled" if had else "nothing_to_cancel", who.lang)
    )


async def _send_summary(context: BotContext, who: Caller, data: dict[str, Any]) -> None:
    await context.bot.send_message(
        who.chat_id,
        texts(
            "summary",
            who.lang,
            period=data["period"],
            number=data["number"],
            status=status_text(data["status"], who.lang),
            progress=or_none(data.get("progress"), who.lang),
            problems=or_none(data.get("problems"), who.lang),
            next_steps=or_none(data.get("next_steps"), who.lang),
            evidence=len(data.get("evidence", [])),
        ),
        parse_mode=ParseMode.HTML,
        reply_markup=confirm_keyboard(who.lang),
    )


async def _ask(context: BotContext, who: Caller, text: str, skippable: bool = False) -> None:
    await context.bot.send_message(
        who.chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=skip_keyboard(who.lang) if skippable else ForceReply(selective=True),
    )


def register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("tasks", tasks_command))
    application.add_handler(CommandHandler("report", report_command))
    application.add_handler(CommandHandler("cancel", cancel))
    for handler, payloads in (
        (task_chosen, (buttons.PickTask, buttons.LegacyTask)),
        (plan_chosen, (buttons.PickPlan,)),
        (status_chosen, (buttons.PickStatus,)),
        (skip_step, (buttons.SkipStep,)),
        (confirm_chosen, (buttons.Confirm,)),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=buttons.pattern(*payloads)))
    application.add_handler(
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), evidence_received)
    )
    # Note: order matters — commands are matched above, so only plain text reaches here.
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_received)
    )
