"""销号: `/close N` from the lead unit's contact (its report says 已完成); its principal gets
[同意销号] [退回], then staff [确认销号] [退回]; the unit is told the outcome; staff reopen with
`/reopen UNIT N`. Messages that follow a change go through the outbox; the pressed message shows
the outcome and loses its buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.access import Caller, guarded, staff
from bot.context import BotApplication, BotContext
from bot.handlers.report_texts import texts as report_texts
from ledger.plans import parse_task_ref
from ledger.vocab import ClosureState
from messages import buttons
from messages.i18n import Catalog
from messages.render import esc, shorten, split_message
from services.audit import Actor
from services.closures import (
    ClosureRefused,
    ClosureStep,
    decide_closure,
    reopen_closure,
    request_closure,
)
from services.outbox import NewMessage, enqueue_many
from services.periods import open_period
from services.reporting import AmbiguousTask, ReportRefused, Source
from services.units import find_unit

texts = Catalog(
    {
        "usage": {"zh": "用法：/close 任务序号", "en": "Usage: /close N"},
        "reopen_usage": {"zh": "用法：/reopen 单位名称 任务序号", "en": "Usage: /reopen UNIT N"},
        "ambiguous": {
            "zh": "本期有多个计划都有任务 {number}，请写明计划，例如 /close 要点/{number}",
            "en": "Several plans have a task {number}; name the plan: /close CODE/{number}",
        },
        "close_not_lead": {
            "zh": "只有牵头单位可以申请任务 {number} 销号。",
            "en": "Only the lead unit can ask to close task {number}.",
        },
        "close_not_done": {
            "zh": "任务 {number} 本期报送的完成状态须为“已完成”才能申请销号。",
            "en": "Task {number} must be reported 已完成 (done) this period before closing.",
        },
        "close_pending": {
            "zh": "任务 {number} 已有待审核的销号申请。",
            "en": "Task {number} already has a closing request under way.",
        },
        "close_already": {"zh": "任务 {number} 已销号。", "en": "Task {number} is closed already."},
        "requested": {
            "zh": "已提交任务 {number} 销号申请，等待审核。",
            "en": "Closing of task {number} requested; waiting for approval.",
        },
        "ask_principal": {
            "zh": "<b>销号申请</b>：{unit} 任务 {number}：{text}\n本期报送为“已完成”，请审核：",
            "en": "<b>Closing request</b>: {unit}, task {number}: {text}\nreported done; approve?",
        },
        "ask_staff": {
            "zh": "<b>销号待确认</b>：{unit} 任务 {number}：{text}",
            "en": "<b>Closing to confirm</b>: {unit}, task {number}: {text}",
        },
        "yes_p": {"zh": "同意销号", "en": "Approve"},
        "yes_s": {"zh": "确认销号", "en": "Confirm closing"},
        "no": {"zh": "退回", "en": "Send back"},
        "outcome_awaiting_staff": {"zh": "✅ 已同意，待市局确认", "en": "✅ Approved"},
        "outcome_closed": {"zh": "✅ 已销号（{day}）", "en": "✅ Closed ({day})"},
        "outcome_returned": {"zh": "↩️ 已退回", "en": "↩️ Sent back"},
        "told_closed": {
            "zh": "{unit} 任务 {number} 已销号（{day}），今后不再要求报送。",
            "en": "{unit}: task {number} is closed ({day}); no more reports are asked.",
        },
        "told_returned": {
            "zh": "{unit} 任务 {number} 销号申请被退回，请继续按期报送。",
            "en": "{unit}: closing task {number} was sent back; keep reporting.",
        },
        "told_reopened": {
            "zh": "{unit} 任务 {number} 已重新启用，请继续按期报送。",
            "en": "{unit}: task {number} is reopened; please report on it again.",
        },
        "closure_decided": {"zh": "该销号申请已处理。", "en": "This request has been decided."},
        "closure_gone": {"zh": "该销号申请不存在。", "en": "No such closing request."},
        "closure_not_yours": {
            "zh": "抱歉，您无权使用此功能。如需使用，请联系市同城化发展工作局。",
            "en": "Sorry, you are not allowed to do this. Please contact the bureau.",
        },
        "reopen_none": {"zh": "没有已销号的任务 {number}。", "en": "No closed task {number}."},
        "reopen_ambiguous": {
            "zh": "多个计划都有已销号的任务 {number}，请写明计划：/reopen 单位 要点/{number}",
            "en": "Several plans have a closed task {number}: /reopen UNIT CODE/{number}",
        },
        "unknown_unit": {"zh": "没有找到单位：{name}", "en": "No unit called {name}"},
        "closed_line": {"zh": "已销号：{tasks}", "en": "closed: {tasks}"},
        "closed_task": {"zh": "任务{number}（{day}）", "en": "task {number} ({day})"},
    }
)


def closed_line(closed: list[tuple[int, date]], lang: str) -> str:
    """已销号：任务5（2023-04-12）… for /status UNIT; "" when nothing is closed."""
    if not closed:
        return ""
    tasks = "、".join(texts("closed_task", lang, number=n, day=d.isoformat()) for n, d in closed)
    return texts("closed_line", lang, tasks=tasks)


def _payload(text: str, markup: InlineKeyboardMarkup | None = None) -> dict[str, Any]:
    return {"text": split_message(text)[0], "parse_mode": "HTML",
            "reply_markup": markup.to_dict() if markup else None, "meta": {}}  # fmt: skip


def _ask(step: ClosureStep, lang: str) -> dict[str, Any]:
    row, by_staff = step.closure, step.closure.state == ClosureState.AWAITING_STAFF
    key = "ask_staff" if by_staff else "ask_principal"
    text = texts(key, lang, unit=esc(step.unit), number=step.task_number,
                 text=esc(shorten(step.task_text, 80)))  # fmt: skip
    code = "s" if by_staff else "p"
    keys = [
        InlineKeyboardButton(texts(f"yes_{code}", lang), callback_data=buttons.encode(
            buttons.DecideClosure(row.id, code, "y"))),
        InlineKeyboardButton(texts("no", lang), callback_data=buttons.encode(
            buttons.DecideClosure(row.id, code, "n"))),
    ]  # fmt: skip
    return _payload(text, InlineKeyboardMarkup([keys]))


def _asks(step: ClosureStep, default: str, now: Any) -> list[NewMessage]:
    tag = f"z{step.closure.id}{step.closure.state.value[:10]}"[:20]
    return [NewMessage("closure-ask", tag, f"u{uid}", uid, _ask(step, lang or default), now)
            for uid, lang in step.ask]  # fmt: skip


def _tell(step: ClosureStep, key: str, default: str, now: Any) -> list[NewMessage]:
    row = step.closure
    day = row.closed_on.isoformat() if row.closed_on else ""
    tag = f"z{row.id}{row.state.value[:10]}"[:20]
    return [
        NewMessage("closure-told", tag, f"c{r.contact_id}", r.user_id,
                   _payload(texts(key, r.language or default, unit=esc(step.unit),
                                  number=step.task_number, day=day)), now)
        for r in step.people
    ]  # fmt: skip


@guarded(private=True)
async def close_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    args = list(context.args or [])
    ref = parse_task_ref(args[0]) if len(args) == 1 else None
    if ref is None:
        await message.reply_text(texts("usage", who.lang))
        return
    runtime, settings = context.runtime, context.runtime.settings
    now = runtime.clock.now()
    source = Source(who.identity.user_id, update.effective_user.full_name, who.chat_id,
                    message.message_id, now)  # fmt: skip
    try:
        async with runtime.session() as session:
            period = await open_period(session, now=now, tz=settings.tz)
            step = await request_closure(
                session, identity=who.identity, number=ref.number, plan_code=ref.plan_code,
                period=period, source=source, admin_ids=settings.admin_ids,
                rules=settings.calendar_rules(), tz=settings.tz,
            )  # fmt: skip
            ack = texts("requested", who.lang, number=step.task_number)
            tag = f"z{step.closure.id}"
            await enqueue_many(session, [
                NewMessage("closure-ack", tag, f"u{who.identity.user_id}", who.chat_id,
                           _payload(ack), now),
                *_asks(step, settings.locale, now),
            ])  # fmt: skip
    except AmbiguousTask as ambiguous:
        await message.reply_text(texts("ambiguous", who.lang, number=ambiguous.number))
    except ClosureRefused as refused:
        await message.reply_text(texts(refused.key, who.lang, **refused.values))
    except ReportRefused as refused:
        await message.reply_text(report_texts(refused.key, who.lang, **refused.values))


@guarded(private=True)
async def decision_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.DecideClosure)
    if button is None:
        await query.answer()
        return
    runtime, settings = context.runtime, context.runtime.settings
    now = runtime.clock.now()
    try:
        async with runtime.session() as session:
            step = await decide_closure(
                session, identity=who.identity, closure_id=button.closure_id,
                by_staff=button.step == "s", approve=button.answer == "y", now=now,
                admin_ids=settings.admin_ids, tz=settings.tz,
                actor=Actor.telegram(who.identity.user_id, who.chat_id),
            )  # fmt: skip
            state = step.closure.state
            if state == ClosureState.AWAITING_STAFF:
                messages = _asks(step, settings.locale, now)
            else:
                key = "told_closed" if state == ClosureState.CLOSED else "told_returned"
                messages = _tell(step, key, settings.locale, now)
            await enqueue_many(session, messages)
    except ClosureRefused as refused:
        await query.answer(texts(refused.key, who.lang), show_alert=True)
        return
    await query.answer()
    day = step.closure.closed_on.isoformat() if step.closure.closed_on else ""
    outcome = texts(f"outcome_{state.value}", who.lang, day=day)
    shown = query.message.text_html if isinstance(query.message, Message) else ""
    await query.edit_message_text(f"{shown}\n\n{outcome}", parse_mode="HTML", reply_markup=None)


@guarded(staff, private=True)
async def reopen_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    args = list(context.args or [])
    ref = parse_task_ref(args[-1]) if len(args) >= 2 else None
    if ref is None:
        await message.reply_text(texts("reopen_usage", who.lang))
        return
    name = " ".join(args[:-1])
    runtime, settings = context.runtime, context.runtime.settings
    now = runtime.clock.now()
    try:
        async with runtime.session() as session:
            unit = await find_unit(session, name)
            if unit is None:
                await message.reply_text(texts("unknown_unit", who.lang, name=esc(name)))
                return
            step = await reopen_closure(
                session, unit_id=unit.id, number=ref.number, plan_code=ref.plan_code,
                actor=Actor.telegram(who.identity.user_id, who.chat_id), **runtime.as_of(),
            )  # fmt: skip
            told = _tell(step, "told_reopened", settings.locale, now)
            ack = texts("told_reopened", who.lang, unit=esc(step.unit), number=step.task_number)
            tag, me = f"z{step.closure.id}reopened", f"u{who.identity.user_id}"
            told.append(NewMessage("closure-told", tag, me, who.chat_id, _payload(ack), now))
            await enqueue_many(session, told)
    except ClosureRefused as refused:
        await message.reply_text(texts(refused.key, who.lang, **refused.values))


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("close", close_command))
    application.add_handler(CommandHandler("reopen", reopen_command))
    application.add_handler(
        CallbackQueryHandler(decision_pressed, pattern=buttons.pattern(buttons.DecideClosure))
    )
