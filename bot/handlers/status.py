"""/status and /overdue: staff see everything, a unit's people see their own unit only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import buttons
from bot.access import Caller, guarded, known, refuse, staff
from bot.context import BotApplication, BotContext
from bot.handlers.duban_status import status_note, support_suffix, support_totals
from bot.handlers.duban_urge import urge_keyboard
from bot.i18n import Catalog
from bot.render import esc, shorten, split_message
from ledger.periods import Period
from ledger.plans import parse_task_ref
from ledger.reports import status_label
from ledger.status import UnitStatus, totals
from ledger.timetable import ledger_schedule
from ledger.traffic_light import Light, unit_light
from services.due import overdue_units
from services.periods import open_period
from services.status import PeriodStatus, TaskStatus, period_status, task_status
from services.units import find_unit

PAGE_SIZE = 15
LIGHTS = {Light.GREEN: "🟢", Light.YELLOW: "🟡", Light.RED: "🔴", Light.NONE: "⚪"}

texts = Catalog(
    {
        "header": {
            "zh": "<b>{period} 台账</b>（{plan}）\n应报 {owed} · 已报 {submitted} · 待审定 "
            "{awaiting} · 未报 {missing}（其中逾期 {overdue}） · 迟报 {late}",
            "en": "<b>Ledger {period}</b> ({plan})\nowed {owed} · submitted {submitted} · "
            "awaiting approval {awaiting} · missing {missing} (overdue {overdue}) · late {late}",
        },
        "unbound_note": {
            "zh": "⚪ 未绑定填报人的单位 {n} 个（从未收到提醒，请发送邀请码）",
            "en": "⚪ {n} units have no bound contact (never prompted: send an invite code)",
        },
        "unbound": {"zh": "（未绑定）", "en": " (no contact)"},
        "unit_line": {
            "zh": "{light} {unit}：{submitted}/{owed}{extra}",
            "en": "{light} {unit}: {submitted}/{owed}{extra}",
        },
        "awaiting": {"zh": "，待审定{n}", "en": ", {n} awaiting approval"},
        "late": {"zh": "，逾期{n}", "en": ", {n} late"},
        "entry_line": {
            "zh": "  · 任务{task} {status}{late}：{text}",
            "en": "  · task {task} {status}{late}: {text}",
        },
        "late_mark": {"zh": "（逾期）", "en": " (late)"},
        "no_plan": {
            "zh": "{period} 没有计划覆盖：本期无需报送台账。",
            "en": "No plan covers {period}: nothing is owed for it.",
        },
        "unknown_unit": {"zh": "没有找到单位或任务：{name}", "en": "No unit or task called {name}"},
        "task_header": {
            "zh": "<b>任务 {number}</b>（{plan}，{period}）：{text}",
            "en": "<b>Task {number}</b> ({plan}, {period}): {text}",
        },
        "overdue_header": {
            "zh": "<b>{period} 逾期未报</b>（截止 {deadline}）",
            "en": "<b>Overdue for {period}</b> (deadline {deadline})",
        },
        "none_overdue": {
            "zh": "{period} 暂无逾期未报单位。",
            "en": "No unit is overdue for {period}.",
        },
        "page": {"zh": "第 {page}/{pages} 页", "en": "page {page}/{pages}"},
    }
)


def _light(unit: UnitStatus, context: BotContext, period: Period) -> Light:
    settings = context.runtime.settings
    rules = settings.calendar_rules()
    schedule = ledger_schedule(period, rules, settings.tz)
    return unit_light(unit, context.runtime.clock.now(), schedule, rules)


def _unit_lines(unit: UnitStatus, lang: str, light: Light, details: bool) -> list[str]:
    extra = texts("unbound", lang) if unit.unbound and unit.owed else ""
    if unit.awaiting_approval:
        extra += texts("awaiting", lang, n=unit.awaiting_approval)
    if unit.late:
        extra += texts("late", lang, n=unit.late)
    extra += support_suffix(unit, lang)
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
    lines += support_totals(t, lang)
    if t.unbound_units:
        lines.append(texts("unbound_note", lang, n=t.unbound_units))
    pages = max((len(status.units) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    for unit in status.units[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        lines += _unit_lines(unit, lang, _light(unit, context, status.period), details)
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


@guarded(known, private=True)  # a group would show one person's view to everybody in it
async def status_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    argument = " ".join(context.args or []).strip()
    if argument and not who.identity.is_staff:
        await refuse(update, who.lang)
        return
    runtime = context.runtime
    async with runtime.session() as session:
        period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
        ref = parse_task_ref(argument) if argument else None
        if ref is not None:
            found = await task_status(
                session, period=period, number=ref.number, plan_code=ref.plan_code,
                **runtime.as_of(),
            )  # fmt: skip
            await _send_task(update, who, found, period)
            return
        unit_ids: list[int] | None = None
        if argument:
            unit = await find_unit(session, argument)
            if unit is None:
                await message.reply_text(
                    texts("unknown_unit", who.lang, name=esc(argument)), parse_mode=ParseMode.HTML
                )
                return
            unit_ids = [unit.id]
        elif not who.identity.is_staff:
            unit_ids = [b.unit_id for b in who.identity.bindings]
        status = await period_status(session, period=period, unit_ids=unit_ids, **runtime.as_of())
        note = await status_note(session, unit_ids, who.lang)  # 已销号, or who has not 签收
    urge = urge_keyboard(status.units, period, who.lang) if argument else None  # staff: [催办]
    await _send_status(update, context, who, status, details=unit_ids is not None, urge=urge)
    if note:
        await message.reply_text(note)


async def _send_status(
    update: Update, context: BotContext, who: Caller, status: PeriodStatus, details: bool,
    urge: InlineKeyboardMarkup | None = None,
) -> None:  # fmt: skip
    assert update.effective_message
    if not status.covered:
        await update.effective_message.reply_text(
            texts("no_plan", who.lang, period=status.period.key)
        )
        return
    text, keyboard = render_status(status, context, who.lang, 1, details)
    keyboard = keyboard or (urge if urge is not None and urge.inline_keyboard else None)
    parts = split_message(text)
    for i, part in enumerate(parts):
        await update.effective_message.reply_text(
            part, parse_mode=ParseMode.HTML, reply_markup=keyboard if i == len(parts) - 1 else None
        )


async def _send_task(update: Update, who: Caller, found: list[TaskStatus], period: Period) -> None:
    assert update.effective_message
    if not found:
        await update.effective_message.reply_text(texts("unknown_unit", who.lang, name=""))
        return
    lines = []
    for status in found:
        lines.append(
            texts(
                "task_header",
                who.lang,
                number=status.number,
                plan=esc(status.plan_code),
                period=period.key,
                text=esc(shorten(status.text, 200)),
            )
        )
        for unit in status.units:
            light = Light.GREEN if unit.complete else Light.NONE
            lines += _unit_lines(unit, who.lang, light, True)
    for part in split_message("\n".join(lines)):
        await update.effective_message.reply_text(part, parse_mode=ParseMode.HTML)


@guarded(staff, private=True)
async def page_pressed(update: Update, context: BotContext, who: Caller) -> None:
    query = update.callback_query
    assert query is not None
    button = buttons.as_(query.data, buttons.StatusPage)
    try:
        if button is None:
            raise ValueError(query.data)
        period, number = Period.parse(button.period), button.page
    except ValueError:
        await refuse(update, who.lang)
        return
    async with context.runtime.session() as session:
        status = await period_status(session, period=period, **context.runtime.as_of())
    text, keyboard = render_status(status, context, who.lang, number, details=False)
    page = split_message(text)[0]
    await query.answer()
    shown = query.message
    if isinstance(shown, Message) and (shown.text_html, shown.reply_markup) == (page, keyboard):
        return  # a double tap: that page is shown already, and Telegram refuses a no-op edit
    try:
        await query.edit_message_text(page, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as error:  # two taps at once: the other one has just edited it
        if "not modified" not in error.message:
            raise


@guarded(staff, private=True)
async def overdue_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    runtime = context.runtime
    async with runtime.session() as session:
        period = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
        status = await period_status(session, period=period, **runtime.as_of())
    schedule = ledger_schedule(period, runtime.settings.calendar_rules(), runtime.settings.tz)
    overdue, unbound = overdue_units(status)
    if not overdue and not unbound:
        await message.reply_text(texts("none_overdue", who.lang, period=period.key))
        return
    lines = [
        texts("overdue_header", who.lang, period=period.key, deadline=schedule.deadline.isoformat())
    ]
    for unit in overdue:
        lines += _unit_lines(unit, who.lang, Light.RED, details=False)
    if unbound:
        lines.append(texts("unbound_note", who.lang, n=len(unbound)))
        for unit in unbound:
            lines += _unit_lines(unit, who.lang, Light.NONE, details=False)
    parts = split_message("\n".join(lines))
    urge = urge_keyboard(overdue, period, who.lang)  # [催办] beside each overdue unit
    for i, part in enumerate(parts):
        last = i == len(parts) - 1 and urge.inline_keyboard
        await message.reply_text(
            part, parse_mode=ParseMode.HTML, reply_markup=urge if last else None
        )


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("status", status_command))
    application.add_handler(CommandHandler("overdue", overdue_command))
    application.add_handler(
        CallbackQueryHandler(page_pressed, pattern=buttons.pattern(buttons.StatusPage))
    )
