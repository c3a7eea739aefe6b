"""/history [UNIT] N [YYYY-MM]: a unit's versions of a task (who, when, what changed, 审定)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.access import Caller, guarded, known, refuse
from bot.context import BotApplication, BotContext
from bot.handlers import unit_choice
from bot.handlers.history_texts import texts, version_lines
from ledger.periods import Period
from ledger.queries import Query, QueryError, parse_query
from messages.render import esc, split_message
from services.history import task_history, tasks_of_unit
from services.periods import open_period
from services.status import unit_names

COMMAND = "history"


async def reply(update: Update, text: str) -> None:
    assert update.effective_message is not None
    for part in split_message(text):
        await update.effective_message.reply_text(part, parse_mode=ParseMode.HTML)


def may_see(who: Caller, unit_id: int) -> bool:
    """Staff see every unit; a unit's contacts and principals see their own."""
    return who.identity.is_staff or unit_id in {b.unit_id for b in who.identity.bindings}


async def period_of(context: BotContext, query: Query) -> Period:
    if query.period is not None:
        return query.period
    runtime = context.runtime
    async with runtime.session() as session:
        return await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)


async def show(
    update: Update, context: BotContext, who: Caller, unit_id: int, query: Query
) -> None:
    """The history of task `query.task` for one unit the caller may see."""
    if not may_see(who, unit_id):
        await refuse(update, who.lang)
        return
    assert query.task is not None
    period = await period_of(context, query)
    lang, tz = who.lang, context.runtime.settings.tz
    async with context.runtime.session() as session:
        unit = (await unit_names(session, [unit_id]))[unit_id]
        tasks = await tasks_of_unit(session, unit_id, query.task, period)
        histories = [
            (
                task,
                await task_history(session, unit_id=unit_id, task_id=task.task_id, period=period),
            )
            for task in tasks
        ]
    number = query.task.number
    if not histories:
        await reply(update, texts("no_task", lang, period=period.key, number=number))
        return
    lines: list[str] = []
    for task, versions in histories:
        if not versions:
            lines.append(
                texts("no_versions", lang, unit=esc(unit), number=number, period=period.key)
            )
            continue
        lines.append(
            texts(
                "history_header", lang, unit=esc(unit), number=number,
                plan=esc(task.plan_code), period=period.key,
            )
        )  # fmt: skip
        for version in versions:
            lines += version_lines(version, lang, tz)
    await reply(update, "\n".join(lines))


Show = Callable[[Update, BotContext, Caller, int, Query], Awaitable[None]]


def register_task_command(
    application: BotApplication, command: str, show: Show, usage: Callable[[str], str]
) -> None:
    """A command that reads `[UNIT] N [YYYY-MM]` and shows one unit's task (/history,
    /evidence): the caller's own units when no unit is named, buttons when a name is ambiguous."""

    @guarded(known, private=True)
    async def task_command(update: Update, context: BotContext, who: Caller) -> None:
        try:
            query = parse_query(list(context.args or []))
        except QueryError:
            query = Query()
        if query.task is None or (query.unit is None and not who.identity.bindings):
            await reply(update, usage(who.lang))
            return
        if query.unit is None:
            for binding in who.identity.bindings:
                await show(update, context, who, binding.unit_id, query)
            return
        unit_id = await unit_choice.resolve(update, context, who, query.unit, command, query.tail())
        if unit_id is not None:
            await show(update, context, who, unit_id, query)

    async def rerun(
        update: Update, context: BotContext, who: Caller, unit_id: int, rest: list[str]
    ) -> None:
        try:
            query = parse_query(rest)
        except QueryError:
            return
        if query.task is not None:
            await show(update, context, who, unit_id, query)

    unit_choice.on_choice(command, lambda identity: identity.known, rerun)
    application.add_handler(CommandHandler(command, task_command))


def register(application: BotApplication) -> None:
    register_task_command(application, COMMAND, show, lambda lang: texts("history_usage", lang))
