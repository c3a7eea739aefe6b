"""One message reporting several tasks, a numbered line each ("5. 序时推进 …\n6. 已完成 …"):
read, checked against the unit's owed tasks, shown once, and submitted together with
[提交全部] — every entry or none."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode

from bot.access import Caller, contact, guarded, load_flow, save_flow
from bot.context import BotContext
from bot.handlers import entry_messages
from bot.handlers.report_texts import status_text, texts
from bot.handlers.reporting.more_texts import submit_all_keyboard
from bot.handlers.reporting.more_texts import texts as more_texts
from bot.handlers.reporting.steps import FLOW
from ledger.periods import Period
from ledger.reports import split_status
from ledger.task_numbers import NumberedPart
from ledger.vocab import EntryStatus
from messages import buttons
from messages.render import esc, shorten
from services import conversations, form_drafts
from services.periods import open_period
from services.reporting import Draft, Recorded, ReportRefused, Source, resolve_task, submit

STEP = "several"


async def several_received(
    update: Update, context: BotContext, who: Caller, parts: list[NumberedPart]
) -> None:
    message = update.effective_message
    assert message is not None
    items: list[dict[str, Any]] = []
    for part in parts:
        status, text = split_status(part.text)
        if status is None or not text:
            await message.reply_text(
                more_texts("several_no_status", who.lang, number=part.task.number)
            )
            return
        items.append({"number": part.task.number, "plan": part.task.plan_code,
                      "status": status.value, "progress": text})  # fmt: skip
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
            for item in items:
                _, owed = await resolve_task(
                    session, who.identity, period, number=int(item["number"]),
                    plan_code=item["plan"], **runtime.as_of(),
                )  # fmt: skip
                item["task_id"] = owed.task.id
    except ReportRefused as refused:
        await message.reply_text(texts(refused.key, who.lang, **refused.values))
        return
    await save_flow(context, who, FLOW, {"step": STEP, "period": period.key, "items": items})
    lines = "\n".join(
        more_texts("several_line", who.lang, number=i["number"],
                   status=status_text(str(i["status"]), who.lang),
                   text=esc(shorten(str(i["progress"]), 200)))
        for i in items
    )  # fmt: skip
    await message.reply_text(
        more_texts("several", who.lang, period=period.key, n=len(items), lines=lines),
        parse_mode=ParseMode.HTML,
        reply_markup=submit_all_keyboard(who.lang),
    )


@guarded(contact, private=True)
async def submit_all(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    data = await load_flow(context, who, FLOW)
    if (
        data is None
        or data.get("step") != STEP
        or buttons.as_(query.data, buttons.SubmitAll) is None
    ):
        await query.answer(texts("stale_button", who.lang), show_alert=True)
        return
    await query.answer()
    runtime, user = context.runtime, update.effective_user
    assert user is not None
    period, now = Period.parse(data["period"]), runtime.clock.now()
    recorded: list[tuple[int, Recorded]] = []
    try:
        async with runtime.session() as session:
            for i, item in enumerate(data["items"]):
                draft = Draft(int(item["number"]), EntryStatus(item["status"]),
                              str(item["progress"]), task_id=int(item["task_id"]))  # fmt: skip
                message_id = query.message.message_id if i == 0 else None  # a double tap: once
                source = Source(user.id, user.full_name, who.chat_id, message_id, now)
                recorded.append((draft.task_number, await submit(
                    session, identity=who.identity, draft=draft, period=period, source=source,
                    rules=runtime.settings.calendar_rules(), tz=runtime.settings.tz,
                )))  # fmt: skip
            for _, entry in recorded:  # what the Mini App's form had saved for them has served
                await form_drafts.discard_submitted(session, user.id, entry.entry)
            await conversations.clear(session, user.id)
            numbers = "、".join(str(number) for number, _ in recorded)
            done = more_texts("several_done", who.lang, n=len(recorded), numbers=numbers,
                              period=period.key)  # fmt: skip
            fresh = [(number, entry) for number, entry in recorded if not entry.duplicate]
            for number, entry in fresh:  # the 审定 requests, as outbox rows with the entries
                await entry_messages.queue_approval_requests(session, runtime, entry, number)
            if fresh:
                await entry_messages.queue_confirmation(session, runtime, who, fresh[0][1], done)
    except ReportRefused as refused:
        await context.bot.send_message(who.chat_id, texts(refused.key, who.lang, **refused.values))
        return
    runtime.wake_dispatcher()
    if not fresh:  # a redelivered press: everything was stored the first time
        await context.bot.send_message(who.chat_id, done)
