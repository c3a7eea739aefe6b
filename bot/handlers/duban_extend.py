"""延期申请: `/extend N YYYY-MM-DD reason` from a unit's contact; staff get [同意] [不同意] with
the reason; the decision goes back to the unit and the pressed message shows it. Every message
that follows a change goes through the outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.access import Caller, guarded, refuse, staff
from bot.context import BotApplication, BotContext
from bot.handlers import sendback_reason
from bot.handlers.report_texts import texts as report_texts
from ledger.plans import parse_task_ref
from ledger.vocab import RequestState
from messages import buttons
from messages.i18n import Catalog
from messages.render import esc, shorten, split_message
from services.audit import Actor
from services.extensions import (
    Extension,
    ExtensionRefused,
    decide,
    request_extension,
    undecided,
)
from services.outbox import NewMessage, enqueue_many
from services.periods import open_period
from services.reporting import AmbiguousTask, ReportRefused, Source
from services.runtime import Runtime

texts = Catalog(
    {
        "usage": {
            "zh": "用法：/extend 任务序号 YYYY-MM-DD 理由，"
            "例如 /extend 5 2023-04-14 征地协调未完成",
            "en": "Usage: /extend N YYYY-MM-DD reason, e.g. /extend 5 2023-04-14 land not ready",
        },
        "ambiguous": {
            "zh": "本期有多个计划都有任务 {number}，请写明计划，例如 /extend 要点/{number} …",
            "en": "Several plans have a task {number}; name the plan, e.g. /extend CODE/{number} …",
        },
        "extend_not_later": {
            "zh": "任务 {number} 的延期日期须晚于现有截止日期。",
            "en": "The new date for task {number} must be after its current deadline.",
        },
        "extend_pending": {
            "zh": "任务 {number} 已有待处理的延期申请，请等待审核结果。",
            "en": "Task {number} already has an extension request waiting for a decision.",
        },
        "requested": {
            "zh": "已提交延期申请：任务 {number} 申请延至 {until}，"
            "等待市同城化发展工作局审核。{late}",
            "en": "Extension requested: task {number} until {until}; the bureau will decide.{late}",
        },
        "late_note": {"zh": "（本申请在截止时间之后提出）", "en": " (asked after the deadline)"},
        "to_staff": {
            "zh": "<b>延期申请</b>：{unit} 任务 {number}（{plan}，{period} 台账）：{text}\n"
            "申请延至 {until}{late}\n理由：{reason}",
            "en": "<b>Extension request</b>: {unit}, task {number} ({plan}, ledger {period}): "
            "{text}\nuntil {until}{late}\nreason: {reason}",
        },
        "approve": {"zh": "同意", "en": "Approve"},
        "reject": {"zh": "不同意", "en": "Decline"},
        "outcome_approved": {"zh": "✅ 已同意延期至 {until}", "en": "✅ Approved until {until}"},
        "outcome_rejected": {"zh": "❌ 不同意延期：{reason}", "en": "❌ Declined: {reason}"},
        "declined_ack": {
            "zh": "已告知 {unit}：任务 {number} 延期申请未获同意。",
            "en": "{unit} told: the extension of task {number} is declined.",
        },
        "to_unit_approved": {
            "zh": "延期申请已同意：{unit} 任务 {number}（{period} 台账）报送截止延至 {until}。",
            "en": "Extension approved: {unit}, task {number} (ledger {period}) is due {until}.",
        },
        "to_unit_rejected": {
            "zh": "延期申请未获同意：{reason}\n"
            "{unit} 任务 {number}（{period} 台账）仍按原截止时间报送。",
            "en": "Extension declined: {reason}\n{unit}, task {number} (ledger {period}) keeps "
            "its deadline.",
        },
        "extension_decided": {
            "zh": "该延期申请已处理，无需重复操作。",
            "en": "This request has already been decided.",
        },
        "extension_gone": {"zh": "该延期申请不存在。", "en": "No such extension request."},
    }
)


def _payload(text: str, markup: InlineKeyboardMarkup | None = None) -> dict[str, Any]:
    return {"text": split_message(text)[0], "parse_mode": "HTML",
            "reply_markup": markup.to_dict() if markup else None, "meta": {}}  # fmt: skip


def _parse(args: list[str]) -> tuple[int, str | None, date, str] | None:
    if len(args) < 3:
        return None
    ref = parse_task_ref(args[0])
    try:
        until = date.fromisoformat(args[1])
    except ValueError:
        return None
    reason = " ".join(args[2:]).strip()
    return (ref.number, ref.plan_code, until, reason) if ref and reason else None


def _to_staff(found: Extension, lang: str) -> dict[str, Any]:
    row = found.request
    text = texts(
        "to_staff", lang, unit=esc(found.unit), number=found.task_number, plan=esc(found.plan_code),
        period=row.period, text=esc(shorten(found.task_text, 80)), until=row.until.isoformat(),
        late=texts("late_note", lang) if row.after_deadline else "", reason=esc(row.reason),
    )  # fmt: skip
    keys = [
        InlineKeyboardButton(texts(key, lang), callback_data=buttons.encode(
            buttons.DecideExtension(row.id, answer)))
        for key, answer in (("approve", "y"), ("reject", "n"))
    ]  # fmt: skip
    return _payload(text, InlineKeyboardMarkup([keys]))


@guarded(private=True)
async def extend_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    parsed = _parse(list(context.args or []))
    if parsed is None:
        await message.reply_text(texts("usage", who.lang))
        return
    number, code, until, reason = parsed
    runtime = context.runtime
    now, default = runtime.clock.now(), runtime.settings.locale
    source = Source(who.identity.user_id, update.effective_user.full_name, who.chat_id,
                    message.message_id, now)  # fmt: skip
    try:
        async with runtime.session() as session:
            period = await open_period(session, now=now, tz=runtime.settings.tz)
            found = await request_extension(
                session, identity=who.identity, number=number, plan_code=code, until=until,
                reason=reason, period=period, source=source,
                admin_ids=runtime.settings.admin_ids, rules=runtime.settings.calendar_rules(),
                tz=runtime.settings.tz,
            )  # fmt: skip
            row, tag = found.request, f"x{found.request.id}"
            late = texts("late_note", who.lang) if row.after_deadline else ""
            ack = texts("requested", who.lang, number=found.task_number,
                        until=row.until.isoformat(), late=late)  # fmt: skip
            messages = [NewMessage("extension-ack", tag, f"u{who.identity.user_id}", who.chat_id,
                                   _payload(ack), now)]  # fmt: skip
            messages += [
                NewMessage("extension-request", tag, f"s{uid}", uid,
                           _to_staff(found, lang or default), now)
                for uid, lang in found.staff
            ]  # fmt: skip
            await enqueue_many(session, messages)
    except AmbiguousTask as ambiguous:
        await message.reply_text(texts("ambiguous", who.lang, number=ambiguous.number))
    except ExtensionRefused as refused:
        await message.reply_text(texts(refused.key, who.lang, **refused.values))
    except ReportRefused as refused:
        await message.reply_text(report_texts(refused.key, who.lang, **refused.values))


@guarded(staff, private=True)
async def decision_pressed(update: Update, context: BotContext, who: Caller) -> None:
    """[同意] decides at once; [不同意] first asks staff why (sendback_reason)."""
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.DecideExtension)
    if button is None:
        await query.answer()
        return
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            if button.answer != "y":
                found = await undecided(session, button.request_id)
            else:
                found = await _decide(session, runtime, who, button.request_id, None)
    except ExtensionRefused as refused:
        await query.answer(texts(refused.key, who.lang), show_alert=True)
        return
    if button.answer != "y":
        await sendback_reason.ask(update, context, who, kind=sendback_reason.EXTENSION,
                                  item_id=button.request_id, step="s", unit=found.unit,
                                  number=found.task_number)  # fmt: skip
        return
    await query.answer()
    outcome = _outcome(found, who.lang)
    shown = query.message.text_html if isinstance(query.message, Message) else ""
    await query.edit_message_text(f"{shown}\n\n{outcome}", parse_mode="HTML", reply_markup=None)


async def reason_received(
    update: Update, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    """The typed reason for [不同意]: the request is declined with it, the unit told it, the
    pressed message edited and the decider told (all through the outbox)."""
    if not who.identity.is_staff:  # no longer staff since the press
        await sendback_reason.drop(context, who)
        await refuse(update, who.lang)
        return
    runtime = context.runtime

    async def take(session: AsyncSession, reason: str, now: datetime) -> list[NewMessage]:
        found = await _decide(session, runtime, who, int(data["id"]), reason)
        tag = f"x{found.request.id}"
        done = texts("declined_ack", who.lang, unit=esc(found.unit), number=found.task_number)
        return [
            NewMessage("extension-declined", tag, f"u{who.identity.user_id}", who.chat_id,
                       _payload(done), now),
            *sendback_reason.edit_pressed("extension-edited", tag, who, data,
                                          _outcome(found, who.lang), now),
        ]  # fmt: skip

    await sendback_reason.send_back(
        update, context, who, take, ExtensionRefused, lambda e: texts(e.key, who.lang)
    )


async def _decide(
    session: AsyncSession, runtime: Runtime, who: Caller, request_id: int, reason: str | None
) -> Extension:
    """Take the decision (declined when `reason` is given) and queue the unit's message."""
    now, default = runtime.clock.now(), runtime.settings.locale
    approve = reason is None
    found = await decide(
        session, request_id=request_id, approve=approve, now=now, note=reason,
        actor=Actor.telegram(who.identity.user_id, who.chat_id), tz=runtime.settings.tz,
    )  # fmt: skip
    row = found.request
    key = "to_unit_approved" if approve else "to_unit_rejected"
    await enqueue_many(session, [
        NewMessage("extension-decision", f"x{row.id}", f"c{r.contact_id}", r.user_id,
                   _payload(texts(key, r.language or default, unit=esc(found.unit),
                                  number=found.task_number, period=row.period,
                                  until=row.until.isoformat(), reason=esc(reason or ""))), now)
        for r in found.people
    ])  # fmt: skip
    return found


def _outcome(found: Extension, lang: str) -> str:
    row = found.request
    if row.state == RequestState.APPROVED:
        return texts("outcome_approved", lang, until=row.until.isoformat())
    return texts("outcome_rejected", lang, reason=esc(row.decision_note or ""))


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("extend", extend_command))
    application.add_handler(
        CallbackQueryHandler(decision_pressed, pattern=buttons.pattern(buttons.DecideExtension))
    )
