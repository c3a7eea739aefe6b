"""How /status reads: the header, one line per unit (with its light), pages."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import BotContext
from bot.handlers.status_texts import texts
from ledger.periods import Period
from ledger.reports import status_label
from ledger.status import UnitStatus, totals
from ledger.timetable import ledger_schedule
from ledger.traffic_light import Light, unit_light
from messages import buttons
from messages.render import esc, shorten
from services.status import PeriodStatus

PAGE_SIZE = 15
LIGHTS = {Light.GREEN: "🟢", Light.YELLOW: "🟡", Light.RED: "🔴", Light.NONE: "⚪"}


def _light(unit: UnitStatus, context: BotContext, period: Period) -> Light:
    settings = context.runtime.settings
    rules = settings.calendar_rules()
    schedule = ledger_schedule(period, rules, settings.tz)
    return unit_light(unit, context.runtime.clock.now(), schedule, rules)


def unit_lines(unit: UnitStatus, lang: str, light: Light, details: bool) -> list[str]:
    extra = texts("unbound", lang) if unit.unbound and unit.owed else ""
    if unit.awaiting_approval:
        extra += texts("awaiting", lang, n=unit.awaiting_approval)
    if unit.late:
        extra += texts("late", lang, n=unit.late)
    if unit.support_owed:
        extra += texts("support", lang, submitted=unit.support_submitted, owed=unit.support_owed)
    lines = [
        texts(
            "unit_line",
            lang,
            light=LIGHTS[light],
            unit=esc(unit.unit),
            submitted=unit.submitted,
            owed=unit.owed,
            extra=extra,
        )
    ]
    if details:
        lines += [
            texts(
                "entry_line",
                lang,
                task=e.task_number,
                status=status_label(e.status, lang),
                late=texts("late_mark", lang) if e.late else "",
                text=esc(shorten(e.text, 60)),
            )
            for e in unit.entries
        ]
    return lines


def _plans(status: PeriodStatus) -> str:
    return "、".join(p.code for p in status.plans)


def render_status(
    status: PeriodStatus, context: BotContext, lang: str, page: int, details: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    t = totals(status.units)
    lines = [
        texts(
            "header",
            lang,
            period=status.period.key,
            plan=esc(_plans(status)),
            owed=t.owed,
            submitted=t.submitted,
            awaiting=t.awaiting_approval,
            late=t.late,
            missing=t.missing,
            overdue=t.overdue,
        )
    ]
    if t.support_owed:
        lines.append(
            texts("support_totals", lang, owed=t.support_owed, submitted=t.support_submitted)
        )
    if t.unbound_units:
        lines.append(texts("unbound_note", lang, n=t.unbound_units))
    pages = max((len(status.units) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    for unit in status.units[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        lines += unit_lines(unit, lang, _light(unit, context, status.period), details)
    keyboard = None
    if pages > 1:
        lines.append(texts("page", lang, page=page, pages=pages))
        arrows = []
        if page > 1:
            arrows.append(
                InlineKeyboardButton(
                    "◀",
                    callback_data=buttons.encode(buttons.StatusPage(status.period.key, page - 1)),
                )
            )
        if page < pages:
            arrows.append(
                InlineKeyboardButton(
                    "▶",
                    callback_data=buttons.encode(buttons.StatusPage(status.period.key, page + 1)),
                )
            )
        keyboard = InlineKeyboardMarkup([arrows])
    return "\n".join(lines), keyboard
