"""Command menus (setMyCommands) per language and per scope: private chats, groups, staff."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

log = logging.getLogger(__name__)

MENUS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "private": {
        "zh": [
            ("tasks", "本单位的任务"),
            ("report", "快速填报"),
            ("status", "填报情况"),
            ("history", "任务版本记录"),
            ("export", "导出本单位台账"),
            ("cancel", "取消填报"),
            ("help", "帮助"),
            ("lang", "语言 / Language"),
        ],
        "en": [
            ("tasks", "your unit's tasks"),
            ("report", "quick report"),
            ("status", "reporting status"),
            ("history", "a task's versions"),
            ("export", "export your unit's ledger"),
            ("cancel", "cancel a report"),
            ("help", "help"),
            ("lang", "language / 语言"),
        ],
    },
    "group": {
        "zh": [("help", "帮助"), ("subscribe", "订阅每周简报"), ("unsubscribe", "取消订阅")],
        "en": [
            ("help", "help"),
            ("subscribe", "weekly digest"),
            ("unsubscribe", "stop the digest"),
        ],
    },
    "staff": {
        "zh": [
            ("status", "本期总体情况"),
            ("overdue", "逾期未报"),
            ("history", "版本记录"),
            ("evidence", "附件"),
            ("milestones", "季度节点目标"),
            ("digest", "简报预览"),
            ("export", "导出推进台账"),
            ("bulletin", "季度通报"),
            ("invite", "生成绑定链接"),
            ("help", "帮助"),
            ("lang", "语言 / Language"),
        ],
        "en": [
            ("status", "this period"),
            ("overdue", "overdue units"),
            ("history", "a task's versions"),
            ("evidence", "attachments"),
            ("milestones", "quarter targets"),
            ("digest", "digest preview"),
            ("export", "export the ledger"),
            ("bulletin", "quarterly bulletin"),
            ("invite", "make a binding link"),
            ("help", "help"),
            ("lang", "language / 语言"),
        ],
    },
}


async def _set(bot: Bot, scope: BotCommandScope, menu: str) -> None:
    for lang, items in MENUS[menu].items():
        commands = [BotCommand(name, description) for name, description in items]
        await bot.set_my_commands(
            commands, scope=scope, language_code=None if lang == "zh" else lang
        )


async def publish(bot: Bot, staff_ids: Iterable[int]) -> None:
    """Set the private and group menus, and the staff menu of every staff member given (only
    those who have written to the bot: Telegram knows no chat with anyone else and answers
    "chat not found"). A failure is logged, never fatal (menus are a convenience)."""
    scopes: list[tuple[BotCommandScope, str]] = [
        (BotCommandScopeAllPrivateChats(), "private"),
        (BotCommandScopeAllGroupChats(), "group"),
    ] + [(BotCommandScopeChat(user_id), "staff") for user_id in staff_ids]
    for scope, menu in scopes:
        try:
            await _set(bot, scope, menu)
        except TelegramError as error:  # e.g. a staff member who blocked the bot
            log.warning("could not set the %s command menu for %s: %s", menu, scope, error)


async def publish_staff(bot: Bot, user_id: int) -> None:
    """The staff menu in one staff member's private chat (when they first write)."""
    try:
        await _set(bot, BotCommandScopeChat(user_id), "staff")
    except TelegramError as error:
        log.warning("could not set the staff command menu for %s: %s", user_id, error)
