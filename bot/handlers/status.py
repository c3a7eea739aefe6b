"""/status and /overdue: staff see everything, a unit's people see their own unit only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.access import Caller, guarded, known, refuse, staff
from bot.context import BotApplication, BotContext
from bot.handlers import unit_choice
from bot.handlers.duban_assign import unacknowledged_line
from bot.handlers.duban_close_texts import closed_line
from bot.handlers.duban_urge import urge_keyboard
from bot.handlers.milestones_view import status_lines, targets_for
from bot.handlers.status_texts import texts
from bot.handlers.status_view import render_status, unit_lines
from ledger.periods import Period
from ledger.queries import Query, QueryError, parse_query
from ledger.timetable import ledger_schedule
from ledger.traffic_light import Light
from messages import buttons
from messages.app_links import Target, app_button, with_button
from messages.render import esc, shorten, split_message
from services.assignments import unacknowledged
from services.closed_tasks import closed_numbers
from services.due import overdue_units
from services.periods import open_period
from services.status import PeriodStatus, TaskStatus, period_status, task_status
from services.status_summary import period_summary


async def _period(update: Update, context: BotContext, who: Caller, query: Query) -> Period | None:
    """The period asked for (the open one by default); None after refusing a future one."""
    runtime = context.runtime
    async with runtime.session() as session:
        current = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
    if query.period is None or query.period <= current:
        return query.period or current
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        texts("future_period", who.lang, period=query.period.key, current=current.key)
    )
    return None


async def _query(update: Update, context: BotContext, who: Caller, task: bool) -> Query | None:
    """`[UNIT] [N] [YYYY-MM]` from the command's words; None after answering a bad period."""
    try:
        return parse_query(list(context.args or []), task=task)
    except QueryError as bad:
        assert update.effective_message is not None
        await update.effective_message.reply_text(texts("bad_period", who.lang, word=bad.word))
        return None


@guarded(known, private=True)  # a group would show one person's view to everybody in it
async def status_command(update: Update, context: BotContext, who: Caller) -> None:
    query = await _query(update, context, who, task=True)
    if query is None:
        return
    if (query.unit or query.task) and not who.identity.is_staff:
        await refuse(update, who.lang)
        return
    if query.unit is None:
        await show_status(update, context, who, None, query)
        return
    unit_id = await unit_choice.resolve(update, context, who, query.unit, "status", query.tail())
    if unit_id is not None:
        await show_status(update, context, who, unit_id, query)


async def show_status(
    update: Update, context: BotContext, who: Caller, unit_id: int | None, query: Query
) -> None:
    """One unit, one task, or (no unit) every unit the caller may see, for the period asked."""
    period = await _period(update, context, who, query)
    if period is None:
        return
    runtime = context.runtime
    async with runtime.session() as session:
        if query.task is not None and unit_id is None:
            found = await task_status(
                session, period=period, number=query.task.number,
                plan_code=query.task.plan_code, **runtime.as_of(),
            )  # fmt: skip
            named = {(f.plan_code, f.number) for f in found}
            targets = [
                t
                for t in await targets_for(session, context, period)
                if (t.plan, t.number) in named
            ]
            await _send_task(update, who, found, period, status_lines(targets, who.lang))
            return
        unit_ids = [unit_id] if unit_id is not None else None
        if unit_ids is None and not who.identity.is_staff:
            unit_ids = [b.unit_id for b in who.identity.bindings]
        if unit_ids is None:  # staff's overview: counts per unit, counted by the database
            status = await period_summary(session, period=period, **runtime.as_of())
        else:
            status = await period_status(
                session, period=period, unit_ids=unit_ids, **runtime.as_of()
            )
        targets = await targets_for(session, context, period, unit_ids=unit_ids) if unit_id else []
        # One message: 已销号 tasks with their dates for units, or (staff's overview of the
        # open period) the units yet to 签收 an assignment.
        extra = closed_line(await closed_numbers(session, unit_ids), who.lang) if unit_ids else ""
        if unit_ids is None and query.period is None:
            extra = unacknowledged_line(await unacknowledged(session), who.lang)
    staff_on_unit = unit_id is not None and who.identity.is_staff
    urge = urge_keyboard(status.units, period, who.lang) if staff_on_unit else None  # [催办]
    lines = status_lines(targets, who.lang) + ([esc(extra)] if extra else [])
    app = Target("grid", period.key, unit_id) if who.identity.is_staff else None  # [打开台账]
    await _send_status(update, context, who, status, unit_ids is not None, lines, urge, app)


async def _status_again(
    update: Update, context: BotContext, who: Caller, unit_id: int, rest: list[str]
) -> None:
    try:
        query = parse_query(rest)
    except QueryError:
        return
    await show_status(update, context, who, unit_id, query)


async def _send_status(
    update: Update,
    context: BotContext,
    who: Caller,
    status: PeriodStatus,
    details: bool,
    milestones: list[str],
    urge: InlineKeyboardMarkup | None = None,
    app: Target | None = None,
) -> None:
    assert update.effective_message
    if not status.covered:
        await update.effective_message.reply_text(
            texts("no_plan", who.lang, period=status.period.key)
        )
        return
    text, keyboard = render_status(status, context, who.lang, 1, details)
    keyboard = keyboard or (urge if urge is not None and urge.inline_keyboard else None)
    keyboard = with_button(keyboard, _app_button(context, app, who.lang))
    parts = split_message("\n".join([text, *milestones]))
    for i, part in enumerate(parts):
        await update.effective_message.reply_text(
            part, parse_mode=ParseMode.HTML, reply_markup=keyboard if i == len(parts) - 1 else None
        )


async def _send_task(
    update: Update, who: Caller, found: list[TaskStatus], period: Period, milestones: list[str]
) -> None:
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
            lines += unit_lines(unit, who.lang, light, True)
    for part in split_message("\n".join(lines + milestones)):
        await update.effective_message.reply_text(part, parse_mode=ParseMode.HTML)


def _app_button(context: BotContext, app: Target | None, lang: str) -> InlineKeyboardButton | None:
    """[打开台账] on staff's /status, when the Mini App is served."""
    return app_button(context.runtime.settings.public_url, app, lang) if app else None


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
        status = await period_summary(session, period=period, **context.runtime.as_of())
    text, keyboard = render_status(status, context, who.lang, number, details=False)
    keyboard = with_button(keyboard, _app_button(context, Target("grid", period.key), who.lang))
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
    query = await _query(update, context, who, task=False)
    if query is None:
        return
    period = await _period(update, context, who, query) if query.unit is None else None
    if period is None:
        if query.unit is not None:
            await message.reply_text(texts("overdue_usage", who.lang))
        return
    runtime = context.runtime
    async with runtime.session() as session:
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
        lines += unit_lines(unit, who.lang, Light.RED, details=False)
    if unbound:
        lines.append(texts("unbound_note", who.lang, n=len(unbound)))
        for unit in unbound:
            lines += unit_lines(unit, who.lang, Light.NONE, details=False)
    parts = split_message("\n".join(lines))
    urge = urge_keyboard(overdue, period, who.lang)  # [催办] beside each overdue unit
    for i, part in enumerate(parts):
        last = i == len(parts) - 1 and urge.inline_keyboard
        await message.reply_text(
            part, parse_mode=ParseMode.HTML, reply_markup=urge if last else None
        )


def register(application: BotApplication) -> None:
    unit_choice.on_choice("status", staff, _status_again)
    application.add_handler(CommandHandler("status", status_command))
    application.add_handler(CommandHandler("overdue", overdue_command))
    application.add_handler(
        CallbackQueryHandler(page_pressed, pattern=buttons.pattern(buttons.StatusPage))
    )
