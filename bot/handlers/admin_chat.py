"""The registry in chat, for admins: /units, /pause, /resume, /staff, /alias, /group. Each
change goes through the same service as the CLI and is audited as the admin's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler

from bot.access import Caller, admin, guarded
from bot.context import BotApplication, BotContext
from bot.handlers import unit_choice
from bot.handlers.admin_chat_texts import changes_text, roster_lines, texts
from messages.render import split_message
from services.audit import Actor
from services.pauses import PauseError, pause, resume
from services.staff import add_staff, remove_staff
from services.status import unit_names
from services.unit_admin import AliasResult, GroupResult, UnitAdminError, add_alias, set_group
from services.unit_roster import unit_roster

_R = TypeVar("_R")


async def _reply(update: Update, text: str) -> None:
    assert update.effective_message is not None
    for part in split_message(text):
        await update.effective_message.reply_text(part)


def _actor(who: Caller) -> Actor:
    return Actor.telegram(who.identity.user_id, who.chat_id)


@guarded(admin, private=True)
async def units_command(update: Update, context: BotContext, who: Caller) -> None:
    runtime = context.runtime
    today = runtime.clock.now().astimezone(runtime.settings.tz).date()
    async with runtime.session() as session:
        rows = await unit_roster(session, today)
    lines = [texts("units_header", who.lang, n=len(rows))]
    for row in rows:
        lines += roster_lines(row, who.lang)
    await _reply(update, "\n".join(lines))


async def _pause_or_resume(
    update: Update, context: BotContext, who: Caller, unit_id: int, paused: bool
) -> None:
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            name = (await unit_names(session, [unit_id]))[unit_id]
            if paused:
                today = runtime.clock.now().astimezone(runtime.settings.tz).date()
                result = await pause(
                    session, unit_name=name, starts_on=today, ends_on=None, actor=_actor(who),
                    **runtime.as_of(),
                )  # fmt: skip
                day = result.starts_on
            else:
                result = await resume(session, unit_name=name, actor=_actor(who), **runtime.as_of())
                day = result.ends_on
    except PauseError:
        await _reply(update, texts("not_paused", who.lang, unit=name))
        return
    key = "paused" if paused else "resumed"
    changes = changes_text(result.changed_periods, who.lang)
    await _reply(update, texts(key, who.lang, unit=result.unit, day=day, changes=changes))


async def _paused_again(
    update: Update, context: BotContext, who: Caller, unit_id: int, _rest: list[str]
) -> None:
    await _pause_or_resume(update, context, who, unit_id, True)


async def _resumed_again(
    update: Update, context: BotContext, who: Caller, unit_id: int, _rest: list[str]
) -> None:
    await _pause_or_resume(update, context, who, unit_id, False)


async def _pause_command(update: Update, context: BotContext, who: Caller, paused: bool) -> None:
    name = " ".join(context.args or []).strip()
    command = "pause" if paused else "resume"
    if not name:
        await _reply(update, texts(f"{command}_usage", who.lang))
        return
    unit_id = await unit_choice.resolve(update, context, who, name, command, [])
    if unit_id is not None:
        await _pause_or_resume(update, context, who, unit_id, paused)


@guarded(admin, private=True)
async def pause_command(update: Update, context: BotContext, who: Caller) -> None:
    await _pause_command(update, context, who, True)


@guarded(admin, private=True)
async def resume_command(update: Update, context: BotContext, who: Caller) -> None:
    await _pause_command(update, context, who, False)


@guarded(admin, private=True)
async def staff_command(update: Update, context: BotContext, who: Caller) -> None:
    words = [w.lower() for w in context.args or []]
    shape = words[:1] in (["add"], ["remove"]) and len(words) in (2, 3)
    if not shape or not words[1].isdecimal() or words[2:] not in ([], ["admin"]):
        await _reply(update, texts("staff_usage", who.lang))
        return
    user_id, runtime = int(words[1]), context.runtime
    async with runtime.session() as session:
        if words[0] == "add":
            as_admin = words[2:] == ["admin"]
            await add_staff(
                session, user_id=user_id, admin=as_admin, now=runtime.clock.now(),
                actor=_actor(who),
            )  # fmt: skip
            role = texts("as_admin", who.lang) if as_admin else ""
            text = texts("staff_added", who.lang, id=user_id, admin=role)
        else:
            removed = await remove_staff(
                session, user_id=user_id, now=runtime.clock.now(), actor=_actor(who)
            )
            text = texts("staff_removed" if removed else "not_staff", who.lang, id=user_id)
    if words[0] == "add":
        runtime.staff_menus.discard(user_id)  # their staff menu comes with their next message
    await _reply(update, text)


async def _registry_change(
    update: Update,
    context: BotContext,
    who: Caller,
    usage: str,
    change: Callable[[AsyncSession, list[str]], Awaitable[_R]],
) -> _R | None:
    """Run one audited registry change on the command's words (two at least); None after
    answering the usage line or the service's refusal."""
    words = list(context.args or [])
    if len(words) < 2:
        await _reply(update, texts(usage, who.lang))
        return None
    try:
        async with context.runtime.session() as session:
            return await change(session, words)
    except UnitAdminError as refused:
        await _reply(update, texts("refused_change", who.lang, reason=str(refused)))
        return None


@guarded(admin, private=True)
async def alias_command(update: Update, context: BotContext, who: Caller) -> None:
    as_of = context.runtime.as_of()

    def change(session: AsyncSession, words: list[str]) -> Awaitable[AliasResult]:
        name, alias = " ".join(words[:-1]), words[-1]
        return add_alias(session, name=name, alias=alias, actor=_actor(who), as_of=as_of)

    result = await _registry_change(update, context, who, "alias_usage", change)
    if result is None:
        return
    merged = ""
    if result.merged_links is not None:
        merged = texts("merged", who.lang, alias=result.alias, n=result.merged_links)
    await _reply(
        update, texts("alias_added", who.lang, alias=result.alias, unit=result.unit, merged=merged)
    )


@guarded(admin, private=True)
async def group_command(update: Update, context: BotContext, who: Caller) -> None:
    as_of = context.runtime.as_of()

    def change(session: AsyncSession, words: list[str]) -> Awaitable[GroupResult]:
        return set_group(
            session, collective=words[0], members=words[1:], actor=_actor(who), as_of=as_of
        )

    result = await _registry_change(update, context, who, "group_usage", change)
    if result is None:
        return
    created = texts("created", who.lang, names="、".join(result.created)) if result.created else ""
    members = "、".join(result.members)
    await _reply(
        update,
        texts("grouped", who.lang, collective=result.collective, members=members, created=created),
    )


def register(application: BotApplication) -> None:
    unit_choice.on_choice("pause", lambda identity: identity.is_admin, _paused_again)
    unit_choice.on_choice("resume", lambda identity: identity.is_admin, _resumed_again)
    for name, handler in (
        ("units", units_command),
        ("pause", pause_command),
        ("resume", resume_command),
        ("staff", staff_command),
        ("alias", alias_command),
        ("group", group_command),
    ):
        application.add_handler(CommandHandler(name, handler))
