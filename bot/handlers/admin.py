"""Admin commands in chat: /invite (private), /subscribe and /unsubscribe (groups)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.access import Caller, admin, guarded
from bot.context import BotApplication, BotContext
from bot.i18n import Catalog
from ledger.vocab import ContactRole
from messages.render import esc
from services.audit import Actor
from services.binding import create_invite, deep_link
from services.chats import set_subscription
from services.units import UnknownUnit

INVITE_DAYS = 7

texts = Catalog(
    {
        "invite_usage": {
            "zh": "用法：/invite 单位名称 [principal]",
            "en": "Usage: /invite UNIT [principal]",
        },
        "invite_made": {
            "zh": "<b>{unit}</b>{role}绑定链接（{days}天内有效，限用一次）：\n{link}",
            "en": "Binding link for <b>{unit}</b>{role} (valid {days} days, single use):\n{link}",
        },
        "role_principal": {"zh": "主要负责同志", "en": " (principal)"},
        "role_contact": {"zh": "填报人", "en": " (contact)"},
        "unknown_unit": {"zh": "没有找到单位：{name}", "en": "No unit called {name}"},
        "groups_only": {"zh": "请在群组中使用此命令。", "en": "Use this command in a group."},
        "subscribed": {
            "zh": "本群已订阅每周台账简报（每周一9:00）。",
            "en": "This group now receives the weekly digest (Mondays 09:00).",
        },
        "unsubscribed": {
            "zh": "本群已取消订阅每周简报。",
            "en": "This group no longer receives the digest.",
        },
    }
)


@guarded(admin, private=True)  # the link is a secret: never in a group
async def invite(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    words = list(context.args or [])
    role = ContactRole.CONTACT
    if words and words[-1].lower() in ("principal", "负责人", "主要负责同志"):
        role, words = ContactRole.PRINCIPAL, words[:-1]
    if not words:
        await message.reply_text(texts("invite_usage", who.lang))
        return
    runtime = context.runtime
    try:
        async with runtime.session() as session:
            issued = await create_invite(
                session,
                unit_name=" ".join(words),
                role=role,
                uses=1,
                days=INVITE_DAYS,
                now=runtime.clock.now(),
                actor=Actor.telegram(who.identity.user_id, who.chat_id),
            )
    except UnknownUnit as unknown:
        await message.reply_text(texts("unknown_unit", who.lang, name=unknown.name))
        return
    await message.reply_text(
        texts(
            "invite_made",
            who.lang,
            unit=esc(issued.unit),
            role=texts(f"role_{role}", who.lang),
            days=INVITE_DAYS,
            link=deep_link(context.bot.username, issued.code),
        ),
        parse_mode=ParseMode.HTML,
    )


async def _subscription(update: Update, context: BotContext, who: Caller, subscribed: bool) -> None:
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if who.private:
        await message.reply_text(texts("groups_only", who.lang))
        return
    runtime = context.runtime
    async with runtime.session() as session:
        await set_subscription(
            session,
            chat_id=chat.id,
            type=chat.type,
            title=chat.title,
            subscribed=subscribed,
            now=runtime.clock.now(),
            actor=Actor.telegram(who.identity.user_id, chat.id),
            thread_id=message.message_thread_id if message.is_topic_message else None,
        )
    await message.reply_text(texts("subscribed" if subscribed else "unsubscribed", who.lang))


@guarded(admin)
async def subscribe(update: Update, context: BotContext, who: Caller) -> None:
    await _subscription(update, context, who, True)


@guarded(admin)
async def unsubscribe(update: Update, context: BotContext, who: Caller) -> None:
    await _subscription(update, context, who, False)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("invite", invite))
    application.add_handler(CommandHandler("subscribe", subscribe))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe))
