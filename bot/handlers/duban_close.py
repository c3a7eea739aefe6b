"""销号: `/close N` from the lead unit's contact (its report says 已完成); its principal gets
[同意销号] [退回], then staff [确认销号] [退回]; the unit is told the outcome; staff reopen with
`/reopen UNIT N`. Messages that follow a change go through the outbox; the pressed message shows
the outcome and loses its buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.access import Caller, guarded, staff
from bot.context import BotApplication, BotContext
from bot.handlers import sendback_reason
from bot.handlers.duban_close_texts import texts
from bot.handlers.report_texts import texts as report_texts
from ledger.plans import parse_task_ref
from ledger.vocab import ClosureState
from messages import buttons
from messages.render import esc, shorten, split_message
from models import Closure
from services.audit import Actor
from services.closures import (
    ClosureRefused,
    ClosureStep,
    decidable,
    decide_closure,
    describe,
    reopen_closure,
    request_closure,
)
from services.outbox import NewMessage, enqueue_many
from services.periods import open_period
from services.reporting import AmbiguousTask, ReportRefused, Source
from services.runtime import Runtime
from services.units import find_unit


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
                                  number=step.task_number, day=day,
                                  reason=esc(row.return_reason or ""))), now)
        for r in step.people
    ]  # fmt: skip


@guarded(private=True)
async def close_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    args = list(context.args or [])
    ref = parse_task_ref(args[0]) if len(args) == 1 else None
    if ref is None:
        await message.reply_text(texts("usage", who.lang))
        return
    await _request(update, context, who, ref.number, ref.plan_code, None, message.message_id)


@guarded(private=True)
async def request_pressed(update: Update, context: BotContext, who: Caller) -> None:
    """[申请销号] under a 已完成 report's confirmation: the same request as `/close N`."""
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.RequestClosure)
    await query.answer()
    if button is not None:
        await _request(update, context, who, 0, None, button.task_id, None)


def close_keyboard(task_id: int, lang: str) -> InlineKeyboardMarkup:
    data = buttons.encode(buttons.RequestClosure(task_id))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts("btn_request", lang), callback_data=data)]]
    )


async def _request(
    update: Update, context: BotContext, who: Caller, number: int, plan_code: str | None,
    task_id: int | None, message_id: int | None,
) -> None:  # fmt: skip
    assert update.effective_user is not None
    runtime, settings = context.runtime, context.runtime.settings
    now = runtime.clock.now()
    source = Source(who.identity.user_id, update.effective_user.full_name, who.chat_id,
                    message_id, now)  # fmt: skip
    try:
        async with runtime.session() as session:
            period = await open_period(session, now=now, tz=settings.tz)
            step = await request_closure(
                session, identity=who.identity, number=number, plan_code=plan_code,
                period=period, source=source, admin_ids=settings.admin_ids,
                rules=settings.calendar_rules(), tz=settings.tz, task_id=task_id,
            )  # fmt: skip
            ack = texts("requested", who.lang, number=step.task_number)
            tag = f"z{step.closure.id}"
            await enqueue_many(session, [
                NewMessage("closure-ack", tag, f"u{who.identity.user_id}", who.chat_id,
                           _payload(ack), now),
                *_asks(step, settings.locale, now),
            ])  # fmt: skip
    except AmbiguousTask as ambiguous:
        await _say(context, who, texts("ambiguous", who.lang, number=ambiguous.number))
    except ClosureRefused as refused:
        await _say(context, who, texts(refused.key, who.lang, **refused.values))
    except ReportRefused as refused:
        await _say(context, who, report_texts(refused.key, who.lang, **refused.values))
    else:
        runtime.wake_dispatcher()


async def _say(context: BotContext, who: Caller, text: str) -> None:
    """A refusal: stateless, sent directly."""
    await context.bot.send_message(who.chat_id, text)


@guarded(private=True)
async def decision_pressed(update: Update, context: BotContext, who: Caller) -> None:
    """[同意销号] / [确认销号] decide at once; [退回] first asks why (sendback_reason)."""
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.DecideClosure)
    if button is None:
        await query.answer()
        return
    runtime, by_staff = context.runtime, button.step == "s"
    try:
        async with runtime.session() as session:
            if button.answer != "y":
                row, _ = await decidable(session, identity=who.identity, by_staff=by_staff,
                                         closure_id=button.closure_id, approve=False)  # fmt: skip
                unit, number, _text = await describe(session, row)
            else:
                step = await _decide(session, runtime, who, button.closure_id, by_staff, None)
    except ClosureRefused as refused:
        await query.answer(texts(refused.key, who.lang), show_alert=True)
        return
    if button.answer != "y":
        await sendback_reason.ask(update, context, who, kind=sendback_reason.CLOSURE,
                                  item_id=button.closure_id, step=button.step, unit=unit,
                                  number=number)  # fmt: skip
        return
    await query.answer()
    shown = query.message.text_html if isinstance(query.message, Message) else ""
    outcome = _outcome(step.closure, who.lang)
    await query.edit_message_text(f"{shown}\n\n{outcome}", parse_mode="HTML", reply_markup=None)


async def reason_received(
    update: Update, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    """The typed reason for [退回]: the closing is sent back with it, the unit told it, the
    pressed message edited and the decider told (all through the outbox)."""
    runtime = context.runtime

    async def take(session: AsyncSession, reason: str, now: datetime) -> list[NewMessage]:
        step = await _decide(session, runtime, who, int(data["id"]), data["step"] == "s", reason)
        tag, me = f"z{step.closure.id}returned", who.identity.user_id
        outcome = _outcome(step.closure, who.lang)
        messages = sendback_reason.edit_pressed("closure-edited", tag, who, data, outcome, now)
        if me not in {r.user_id for r in step.people}:  # a principal is told as the unit
            done = texts("returned_ack", who.lang, unit=esc(step.unit), number=step.task_number)
            messages.append(NewMessage("closure-returned", tag, f"u{me}", who.chat_id,
                                       _payload(done), now))  # fmt: skip
        return messages

    await sendback_reason.send_back(
        update, context, who, take, ClosureRefused, lambda e: texts(e.key, who.lang)
    )


async def _decide(
    session: AsyncSession, runtime: Runtime, who: Caller, closure_id: int, by_staff: bool,
    reason: str | None,
) -> ClosureStep:  # fmt: skip
    """Take the step (sent back when `reason` is given) and queue who is asked or told next."""
    settings, now = runtime.settings, runtime.clock.now()
    step = await decide_closure(
        session, identity=who.identity, closure_id=closure_id, by_staff=by_staff,
        approve=reason is None, now=now, admin_ids=settings.admin_ids, tz=settings.tz,
        actor=Actor.telegram(who.identity.user_id, who.chat_id), reason=reason,
    )  # fmt: skip
    state = step.closure.state
    if state == ClosureState.AWAITING_STAFF:
        messages = _asks(step, settings.locale, now)
    else:
        key = "told_closed" if state == ClosureState.CLOSED else "told_returned"
        messages = _tell(step, key, settings.locale, now)
    await enqueue_many(session, messages)
    return step


def _outcome(row: Closure, lang: str) -> str:
    day = row.closed_on.isoformat() if row.closed_on else ""
    return texts(f"outcome_{row.state.value}", lang, day=day, reason=esc(row.return_reason or ""))


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
    application.add_handler(
        CallbackQueryHandler(request_pressed, pattern=buttons.pattern(buttons.RequestClosure))
    )
