"""/export, /bulletin and /digest: documents in the chat.

Staff get everything; a unit's contact or principal gets the ledger and bulletin of their own
unit(s) only; anyone else is refused before their arguments are even read, so a stranger learns
nothing (not even whether a period exists). Files are built off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot import notices
from bot.access import Caller, ask_private, caller, refuse
from bot.context import BotApplication, BotContext
from bot.i18n import Catalog
from ledger.periods import LEDGER_YEARS, YearOutOfRange, ledger_period, ledger_quarter
from reports.bulletin import build
from services import reports
from services.digest import digest_data
from services.periods import open_period

texts = Catalog(
    {
        "export_usage": {
            "zh": "用法：/export 2023-05（默认为当前台账月份）",
            "en": "Usage: /export 2023-05 (default: the open period)",
        },
        "bulletin_usage": {
            "zh": "用法：/bulletin 2023Q2（默认为当前季度）",
            "en": "Usage: /bulletin 2023Q2 (default: the current quarter)",
        },
        "year_out_of_range": {
            "zh": "年份超出范围：台账年份应在 {first}–{last} 之间。",
            "en": "Year out of range: ledgers cover {first}–{last}.",
        },
        "no_plan": {"zh": "尚未导入工作计划。", "en": "No plan has been imported yet."},
        "ledger_caption": {
            "zh": "{period} 推进台账{scope}",
            "en": "Progress ledger {period}{scope}",
        },
        "bulletin_caption": {"zh": "{quarter} 季度通报{scope}", "en": "Bulletin {quarter}{scope}"},
        "scope": {"zh": "（{units}）", "en": " ({units})"},
    }
)


def _scope(who: Caller) -> list[int] | None:
    """None for staff (everything), else the caller's own unit ids."""
    return None if who.identity.is_staff else sorted({b.unit_id for b in who.identity.bindings})


def _scope_text(who: Caller) -> str:
    if who.identity.is_staff:
        return ""
    names = "、".join(sorted({b.unit_name for b in who.identity.bindings}))
    return texts("scope", who.lang, units=names)


async def _allowed(update: Update, context: BotContext, staff_only: bool) -> Caller | None:
    who = await caller(update, context)
    if who is None or update.effective_message is None:
        return None
    if not (who.identity.is_staff if staff_only else who.identity.known):
        await refuse(update, who.lang)
        return None
    if not who.private:  # a file for one unit or for staff must not land in a group
        await ask_private(update, context, who.lang)
        return None
    return who


def _argument(context: BotContext) -> str:
    return " ".join(context.args or []).strip()


async def _send_file(update: Update, data: bytes, name: str, caption: str) -> None:
    assert update.effective_message
    await update.effective_message.reply_document(
        document=InputFile(data, filename=name), caption=caption
    )


async def export_command(update: Update, context: BotContext) -> None:
    who = await _allowed(update, context, staff_only=False)
    if who is None:
        return
    runtime, argument = context.runtime, _argument(context)
    settings, now = runtime.settings, runtime.clock.now()
    try:
        wanted = ledger_period(argument) if argument else None
    except YearOutOfRange:
        await _reply(update, _out_of_range(who.lang))
        return
    except ValueError:
        await _reply(update, texts("export_usage", who.lang))
        return
    async with runtime.session() as session:
        period = wanted or await open_period(session, now=now, tz=settings.tz)
        found = await reports.ledgers(
            session,
            periods=[period],
            rules=settings.calendar_rules(),
            tz=settings.tz,
            now=now,
            unit_ids=_scope(who),
        )
    if not found:
        await _reply(update, texts("no_plan", who.lang))
        return
    from reports.ledger_xlsx import ledger_workbook  # the writers load only when used

    data = await asyncio.to_thread(ledger_workbook, found, settings.tz, now)
    caption = texts("ledger_caption", who.lang, period=period.key, scope=_scope_text(who))
    await _send_file(update, data, f"ledger-{period.key}.xlsx", caption)


async def bulletin_command(update: Update, context: BotContext) -> None:
    who = await _allowed(update, context, staff_only=False)
    if who is None:
        return
    runtime, argument = context.runtime, _argument(context)
    settings = runtime.settings
    try:
        wanted = ledger_quarter(argument.upper()) if argument else None
    except YearOutOfRange:
        await _reply(update, _out_of_range(who.lang))
        return
    except ValueError:
        await _reply(update, texts("bulletin_usage", who.lang))
        return
    async with runtime.session() as session:
        now = runtime.clock.now()
        quarter = wanted or (await open_period(session, now=now, tz=settings.tz)).quarter
        data = await reports.quarter_data(
            session, quarter=quarter, rules=settings.calendar_rules(), tz=settings.tz, now=now
        )
    if data is None:
        await _reply(update, texts("no_plan", who.lang))
        return
    from reports.bulletin_docx import bulletin_docx
    from reports.bulletin_xlsx import bulletin_xlsx

    content = build(data, _scope(who))
    caption = texts("bulletin_caption", who.lang, quarter=quarter.key, scope=_scope_text(who))
    writers: tuple[tuple[Callable[..., bytes], str], ...] = (
        (bulletin_docx, "docx"),
        (bulletin_xlsx, "xlsx"),
    )
    for write, suffix in writers:
        document = await asyncio.to_thread(write, content)
        await _send_file(update, document, f"bulletin-{quarter.key}.{suffix}", caption)


async def digest_command(update: Update, context: BotContext) -> None:
    """Staff preview of the weekly digest: the text and the chart exactly as groups get them."""
    who = await _allowed(update, context, staff_only=True)
    if who is None:
        return
    runtime = context.runtime
    settings, now = runtime.settings, runtime.clock.now()
    try:
        wanted = ledger_period(_argument(context)) if _argument(context) else None
    except YearOutOfRange:
        await _reply(update, _out_of_range(who.lang))
        return
    except ValueError:
        await _reply(update, texts("export_usage", who.lang).replace("/export", "/digest"))
        return
    async with runtime.session() as session:
        data = await digest_data(
            session, now=now, rules=settings.calendar_rules(), tz=settings.tz, period=wanted
        )
    text = notices.digest(data, who.lang)
    chart = await asyncio.to_thread(notices.digest_chart, data, _today(now, settings.tz), who.lang)
    message = update.effective_message
    assert message is not None
    await message.reply_text(text["text"], parse_mode=ParseMode.HTML)
    await message.reply_photo(
        photo=InputFile(base64.b64decode(chart["photo_b64"]), filename="digest.png"),
        caption=chart["caption"],
        parse_mode=ParseMode.HTML,
    )


def _out_of_range(lang: str) -> str:
    return texts("year_out_of_range", lang, first=LEDGER_YEARS[0], last=LEDGER_YEARS[1])


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


async def _reply(update: Update, text: str) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(text)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("export", export_command))
    application.add_handler(CommandHandler("bulletin", bulletin_command))
    application.add_handler(CommandHandler("digest", digest_command))
