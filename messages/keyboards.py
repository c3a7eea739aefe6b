"""Keyboards shared by the chat and the scheduled notices."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from messages import buttons
from messages.render import shorten


def task_keyboard(tasks: list[tuple[int, int, str, str]]) -> InlineKeyboardMarkup:
    """A button per task (task id, number, text, plan code); the plan's code leads the label
    when the tasks come from several plans (numbers repeat across plans)."""
    several = len({code for *_, code in tasks}) > 1
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{f'{code}/' if several else ''}{n}. {shorten(text, 28)}",
                    callback_data=buttons.encode(buttons.PickTask(task_id)),
                )
            ]
            for task_id, n, text, code in tasks
        ]
    )
