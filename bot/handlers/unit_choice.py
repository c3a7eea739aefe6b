"""Unit names as people type them: exact, alias or an unambiguous part; buttons when several
units match. Commands that name a unit resolve it here and register how to run again once a
button chose it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.access import Caller, guarded, known, refuse
from bot.context import BotApplication, BotContext
from bot.i18n import Catalog
from messages import buttons
from services.identity import Identity
from services.units import match_units

MAX_CHOICES = 12

texts = Catalog(
    {
        "unknown_unit": {"zh": "没有找到单位：{name}", "en": "No unit called {name}"},
        "which_unit": {
            "zh": "“{name}”对应多个单位，请选择：",
            "en": "“{name}” matches several units; choose one:",
        },
        "too_many": {
            "zh": "“{name}”对应 {n} 个单位，请写得更具体些。",
            "en": "“{name}” matches {n} units; please be more specific.",
        },
    }
)

# Run a command for a chosen unit: (update, context, caller, unit id, the rest of the words).
Rerun = Callable[[Update, BotContext, Caller, int, list[str]], Coroutine[Any, Any, None]]
_RERUNS: dict[str, tuple[Callable[[Identity], bool], Rerun]] = {}


def on_choice(command: str, allowed: Callable[[Identity], bool], rerun: Rerun) -> None:
    """Say how `command` runs again once a button chose its unit (who may press it, and how)."""
    _RERUNS[command] = (allowed, rerun)


async def resolve(
    update: Update, context: BotContext, who: Caller, name: str, command: str, rest: list[str]
) -> int | None:
    """The unit `name` stands for; else answer (unknown, or buttons to choose) and None."""
    message = update.effective_message
    assert message is not None
    async with context.runtime.session() as session:
        units = await match_units(session, name)
    if len(units) == 1:
        return units[0].id
    if not units:
        await message.reply_text(texts("unknown_unit", who.lang, name=name))
    elif len(units) > MAX_CHOICES:
        await message.reply_text(texts("too_many", who.lang, name=name, n=len(units)))
    else:
        tail = " ".join(rest).replace(":", "")
        rows = [
            [
                InlineKeyboardButton(
                    unit.name,
                    callback_data=buttons.encode(buttons.ChooseUnit(command, unit.id, tail)),
                )
            ]
            for unit in units
        ]
        await message.reply_text(
            texts("which_unit", who.lang, name=name), reply_markup=InlineKeyboardMarkup(rows)
        )
    return None


@guarded(known, private=True)
async def unit_chosen(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.ChooseUnit)
    found = _RERUNS.get(button.command) if button else None
    if button is None or found is None or not found[0](who.identity):
        await refuse(update, who.lang)
        return
    await query.answer()
    await found[1](update, context, who, button.unit_id, button.rest.split())


def register(application: BotApplication) -> None:
    application.add_handler(
        CallbackQueryHandler(unit_chosen, pattern=buttons.pattern(buttons.ChooseUnit))
    )
