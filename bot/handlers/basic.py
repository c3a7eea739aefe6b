"""/start and /help: the first thing anybody sees."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.i18n import Catalog, pick_language

texts = Catalog(
    {
        "welcome": {
            "zh": (
                "您好！我是<b>推进台账</b>机器人，负责每月收集各责任单位的工作进展。\n"
                "如您是责任单位的填报人，请使用工作局发给您的绑定链接。\n"
                "发送 /help 查看可用命令。"
            ),
            "en": (
                "Hello! I am the <b>progress ledger</b> bot: I collect each responsible "
                "unit's monthly progress.\nIf you report for a unit, open the binding link "
                "the bureau sent you.\nSend /help for the commands."
            ),
        },
        "help": {
            "zh": "可用命令：\n/start — 开始\n/help — 帮助",
            "en": "Commands:\n/start — start\n/help — help",
        },
    }
)


def language_of(update: Update, context: BotContext) -> str:
    user = update.effective_user
    return pick_language(
        None, user.language_code if user else None, context.runtime.settings.locale
    )


async def start(update: Update, context: BotContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(
            texts("welcome", language_of(update, context)), parse_mode=ParseMode.HTML
        )


async def help_command(update: Update, context: BotContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(texts("help", language_of(update, context)))


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
