"""/pending: a principal's queue (entries waiting for their 审定, 销号 to approve) with a button
per item and [全部审定通过]; staff's queue (延期申请 to decide, 销号 to confirm). Approving all
tells each reporter through the outbox."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.access import Caller, guarded, known, principal
from bot.context import BotApplication, BotContext
from bot.handlers import entry_messages
from bot.handlers.report_texts import texts as report_texts
from ledger.vocab import ContactRole
from messages import buttons
from messages.i18n import Catalog
from messages.render import esc, shorten, split_message
from services.identity import language_of
from services.outbox import NewMessage, enqueue_many
from services.pending import Queue, approve_all, principal_queue, staff_queue

MAX_ITEMS = 20  # buttons per list; the rest are counted

texts = Catalog(
    {
        "none": {"zh": "没有待办事项。", "en": "Nothing is waiting for you."},
        "entries": {
            "zh": "<b>待审定台账</b>（{n} 项）：",
            "en": "<b>Reports to approve</b> ({n}):",
        },
        "entry": {
            "zh": "· {unit} 任务{number}（{period}）：{text}",
            "en": "· {unit} task {number} ({period}): {text}",
        },
        "closures": {
            "zh": "<b>待审核销号</b>（{n} 项）：",
            "en": "<b>Closings to approve</b> ({n}):",
        },
        "closure": {"zh": "· {unit} 任务{number}", "en": "· {unit} task {number}"},
        "extensions": {
            "zh": "<b>待审核延期申请</b>（{n} 项）：",
            "en": "<b>Extension requests</b> ({n}):",
        },
        "extension": {
            "zh": "· {unit} 任务{number}（{period}）延至 {until}：{text}",
            "en": "· {unit} task {number} ({period}) until {until}: {text}",
        },
        "more": {"zh": "  …另有 {n} 项", "en": "  … {n} more"},
        "approve_all": {"zh": "全部审定通过", "en": "Approve all"},
        "approve_entry": {"zh": "审定通过 {unit} 任务{number}", "en": "Approve {unit} {number}"},
        "close_yes_p": {"zh": "同意销号 {unit} 任务{number}", "en": "Approve closing {number}"},
        "close_yes_s": {"zh": "确认销号 {unit} 任务{number}", "en": "Confirm closing {number}"},
        "extend_yes": {"zh": "同意延期 {unit} 任务{number}", "en": "Approve extension {number}"},
        "extend_no": {"zh": "不同意", "en": "Decline"},
        "all_done": {"zh": "已全部审定通过 {n} 项。", "en": "Approved all {n}."},
    }
)


def _key(label: str, button: buttons.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(shorten(label, 40), callback_data=buttons.encode(button))


def render(queue: Queue, lang: str, *, staff_view: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    """The queue as text and a keyboard: a button per item (the first MAX_ITEMS of each list)."""
    if queue.empty:
        return texts("none", lang), None
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    if queue.entries:
        lines.append(texts("entries", lang, n=len(queue.entries)))
        rows.append([_key(texts("approve_all", lang), buttons.ApproveAllPending())])
        for item in queue.entries[:MAX_ITEMS]:
            lines.append(texts("entry", lang, unit=esc(item.unit), number=item.task_number,
                               period=item.period, text=esc(shorten(item.text, 40))))  # fmt: skip
            label = texts("approve_entry", lang, unit=item.unit, number=item.task_number)
            rows.append([_key(label, buttons.Approve(item.id))])
    if queue.extensions:
        lines.append(texts("extensions", lang, n=len(queue.extensions)))
        for item in queue.extensions[:MAX_ITEMS]:
            until = item.until.isoformat() if item.until else ""
            reason = esc(shorten(item.text, 40))
            lines.append(texts("extension", lang, unit=esc(item.unit), number=item.task_number,
                               period=item.period, until=until, text=reason))  # fmt: skip
            label = texts("extend_yes", lang, unit=item.unit, number=item.task_number)
            no = texts("extend_no", lang)
            rows.append([_key(label, buttons.DecideExtension(item.id, "y")),
                         _key(no, buttons.DecideExtension(item.id, "n"))])  # fmt: skip
    if queue.closures:
        lines.append(texts("closures", lang, n=len(queue.closures)))
        step = "s" if staff_view else "p"
        for item in queue.closures[:MAX_ITEMS]:
            lines.append(texts("closure", lang, unit=esc(item.unit), number=item.task_number))
            label = texts(f"close_yes_{step}", lang, unit=item.unit, number=item.task_number)
            rows.append([_key(label, buttons.DecideClosure(item.id, step, "y"))])
    hidden = sum(max(len(x) - MAX_ITEMS, 0) for x in (queue.entries, queue.extensions,
                                                       queue.closures))  # fmt: skip
    if hidden:
        lines.append(texts("more", lang, n=hidden))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@guarded(known, private=True)
async def pending_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    async with context.runtime.session() as session:
        parts = []
        if who.identity.units(ContactRole.PRINCIPAL):
            parts.append(render(await principal_queue(session, who.identity), who.lang,
                                staff_view=False))  # fmt: skip
        if who.identity.is_staff:
            parts.append(render(await staff_queue(session), who.lang, staff_view=True))
    shown: list[tuple[str, InlineKeyboardMarkup | None]] = [
        (text, keys) for text, keys in parts if keys is not None
    ] or [(texts("none", who.lang), None)]
    for text, keys in shown:
        await message.reply_text(split_message(text)[0], parse_mode=ParseMode.HTML,
                                 reply_markup=keys)  # fmt: skip


@guarded(principal, private=True)
async def approve_all_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    now, default = runtime.clock.now(), runtime.settings.locale
    async with runtime.session() as session:
        done = await approve_all(session, identity=who.identity, now=now, chat_id=who.chat_id)
        messages = []
        for item in done:
            await entry_messages.queue_decided_requests(session, runtime, item.entry,
                                                        approved=True)  # fmt: skip
            reporter = item.entry.reporter_user_id
            if reporter is None:
                continue
            lang = await language_of(session, reporter, default)
            text = report_texts("approved_notice", lang, number=item.task_number,
                                period=item.entry.period)  # fmt: skip
            payload: dict[str, Any] = {"text": text, "parse_mode": None, "reply_markup": None,
                                       "meta": {}}  # fmt: skip
            messages.append(NewMessage("approved-all", f"e{item.entry.id}", f"u{reporter}",
                                       reporter, payload, now))  # fmt: skip
        await enqueue_many(session, messages)
    await query.answer(texts("all_done", who.lang, n=len(done)), show_alert=True)
    if isinstance(query.message, Message) and done:
        shown = query.message.text_html
        outcome = texts("all_done", who.lang, n=len(done))
        await query.edit_message_text(f"{shown}\n\n✅ {outcome}", parse_mode=ParseMode.HTML,
                                      reply_markup=None)  # fmt: skip


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("pending", pending_command))
    application.add_handler(
        CallbackQueryHandler(
            approve_all_pressed, pattern=buttons.pattern(buttons.ApproveAllPending)
        )
    )
