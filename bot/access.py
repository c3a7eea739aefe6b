"""Who is writing, in which language, and the polite refusal for everyone else."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot import commands, webapp_links
from bot.context import BotContext
from bot.i18n import Catalog, pick_language
from services import conversations, permissions
from services.identity import Identity, Profile, look, remember

texts = Catalog(
    {
        "refused": {
            "zh": "抱歉，您无权使用此功能。如需使用，请联系市同城化发展工作局。",
            "en": "Sorry, you are not allowed to do this. Please contact the bureau.",
        },
        "private_only": {
            "zh": "请在与机器人的私聊中使用此功能：{link}",
            "en": "Please use this in a private chat with the bot: {link}",
        },
    }
)


@dataclass(frozen=True)
class Caller:
    identity: Identity
    lang: str
    chat_id: int
    private: bool


async def caller(update: Update, context: BotContext) -> Caller | None:
    """Identify the sender (and remember their profile); None for updates without a user."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    runtime = context.runtime
    private = chat.type == ChatType.PRIVATE
    profile = Profile(user.full_name, user.username, user.language_code)
    now = runtime.clock.now()
    async with runtime.session(read_only=True) as session:  # most updates: three reads, no lock
        looked = await look(
            session, user.id, profile, now=now, admin_ids=runtime.settings.admin_ids
        )
    if looked.to_write:
        async with runtime.session() as session:
            await remember(session, user.id, profile, now=now, unreachable=looked.unreachable)
    identity = looked.identity
    lang = pick_language(identity.language, user.language_code, runtime.settings.locale)
    if identity.is_staff and private and user.id not in runtime.staff_menus:
        runtime.staff_menus.add(user.id)  # their chat exists now: give them the staff menu
        await commands.publish_staff(context.bot, user.id)
    public_url = runtime.settings.public_url
    if public_url and private and identity.known and user.id not in runtime.app_menus:
        runtime.app_menus.add(user.id)  # once per process: the button opens the user's screen
        await webapp_links.publish_menu(context.bot, chat.id, identity, public_url, lang)
    return Caller(identity, lang, chat.id, private)


async def refuse(update: Update, lang: str) -> None:
    """A short refusal that reveals nothing about the registry."""
    if update.callback_query:
        await update.callback_query.answer(texts("refused", lang), show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(texts("refused", lang))


async def ask_private(update: Update, context: BotContext, lang: str) -> None:
    link = f"https://t.me/{context.bot.username}"
    if update.effective_message:
        await update.effective_message.reply_text(texts("private_only", lang, link=link))


GuardedHandler = Callable[[Update, BotContext, Caller], Coroutine[Any, Any, None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


# Who may use a handler: the one permission model, shared with the web.
Permission = permissions.Permission
anyone, known, bound = permissions.anyone, permissions.known, permissions.bound
contact, principal = permissions.contact, permissions.principal
staff, admin = permissions.staff, permissions.admin


def guarded(
    allowed: Permission = anyone, *, private: bool = False
) -> Callable[[GuardedHandler], Handler]:
    """Identify the caller, refuse whoever `allowed` rejects, and (with `private`) send group
    chats to a private chat: the one preamble every handler shares."""

    def wrap(handler: GuardedHandler) -> Handler:
        @functools.wraps(handler)
        async def run(update: Update, context: BotContext) -> None:
            who = await caller(update, context)
            if who is None:
                return
            if not allowed(who.identity):
                await refuse(update, who.lang)
            elif private and not who.private and update.callback_query:
                await refuse(update, who.lang)  # a button in a group: an alert, nothing posted
            elif private and not who.private:
                await ask_private(update, context, who.lang)
            else:
                await handler(update, context, who)

        return run

    return wrap


async def load_flow(context: BotContext, who: Caller, flow: str) -> dict[str, Any] | None:
    """The caller's saved step data in `flow`, or None if they are elsewhere."""
    async with context.runtime.session() as session:
        state = await conversations.load(session, who.identity.user_id)
    return dict(state.data) if state is not None and state.flow == flow else None


async def save_flow(context: BotContext, who: Caller, flow: str, data: dict[str, Any]) -> None:
    runtime = context.runtime
    async with runtime.session() as session:
        await conversations.save(
            session,
            user_id=who.identity.user_id,
            chat_id=who.chat_id,
            flow=flow,
            data=data,
            now=runtime.clock.now(),
        )
