"""催办: staff chase a unit with `/urge UNIT` or the [催办] button beside it in /overdue and
/status UNIT. Its contacts and principal get the missing tasks and the deadline (outbox); the
presser gets a confirmation (outbox); a second 催办 the same day says when the first went."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.access import Caller, guarded, staff
from bot.context import BotApplication, BotContext
from ledger.periods import Period
from ledger.status import UnitStatus
from messages import buttons
from messages.render import esc
from messages.urging import texts, urge_payload
from services.audit import Actor
from services.periods import open_period
from services.units import find_unit
from services.urging import UrgeRefused, prepare, send

MAX_BUTTONS = 30  # /overdue: a [催办] per overdue unit, within one keyboard


def urge_keyboard(units: list[UnitStatus], period: Period, lang: str) -> InlineKeyboardMarkup:
    """[催办 UNIT] for each unit with something missing, two per row."""
    keys = [
        InlineKeyboardButton(
            texts("button", lang, unit=u.unit[:12]),
            callback_data=buttons.encode(buttons.Urge(u.unit_id, period.key)),
        )
        for u in units[:MAX_BUTTONS]
        if u.missing_tasks()
    ]
    return InlineKeyboardMarkup([keys[i : i + 2] for i in range(0, len(keys), 2)])


async def _urge(context: BotContext, who: Caller, unit_id: int, period: Period | None) -> str:
    """Chase the unit (about the open period; a button's `period` must still be it); the
    refusal to show, or "" when the 催办 is queued (the confirmation comes by the outbox)."""
    runtime, lang = context.runtime, who.lang
    as_of = runtime.as_of()
    async with runtime.session() as session:
        current = await open_period(session, now=as_of["now"], tz=as_of["tz"])
        if period is not None and period != current:
            return texts("stale", lang, period=period.key)
        try:
            urging = await prepare(session, unit_id=unit_id, period=current, **as_of)
            default = runtime.settings.locale
            payloads = {
                r.contact_id: urge_payload(urging, r.language or default) for r in urging.recipients
            }
            sent = texts("sent", lang, unit=esc(urging.unit), period=current.key,
                         tasks=len(urging.items), people=len(urging.recipients))  # fmt: skip
            ack: dict[str, Any] = {
                "text": sent,
                "parse_mode": "HTML",
                "reply_markup": None,
                "meta": {},
            }
            await send(
                session, urging, payloads, now=as_of["now"], tz=as_of["tz"],
                actor=Actor.telegram(who.identity.user_id, who.chat_id),
                acknowledgement=(who.chat_id, ack),
            )  # fmt: skip
        except UrgeRefused as refused:
            return texts(refused.key, lang, **refused.values)
    return ""


@guarded(staff, private=True)
async def urge_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    name = " ".join(context.args or []).strip()
    if not name:
        await message.reply_text(texts("usage", who.lang))
        return
    async with context.runtime.session() as session:
        unit = await find_unit(session, name)
    if unit is None:
        await message.reply_text(texts("unknown_unit", who.lang, name=esc(name)))
        return
    refusal = await _urge(context, who, unit.id, None)
    if refusal:
        await message.reply_text(refusal, parse_mode=ParseMode.HTML)


@guarded(staff, private=True)
async def urge_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.Urge)
    if button is None:
        await query.answer()
        return
    refusal = await _urge(context, who, button.unit_id, Period.parse(button.period))
    await query.answer(refusal or None, show_alert=bool(refusal))


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("urge", urge_command))
    application.add_handler(
        CallbackQueryHandler(urge_pressed, pattern=buttons.pattern(buttons.Urge))
    )
