"""Buttons into the Mini App, for the chat and the scheduled messages alike: [打开台账] (grid),
[在表格中填报] (form), [审定] (review). Nothing is offered while LEDGERBOT_PUBLIC_URL is unset
(Telegram opens Mini Apps over HTTPS only).

A private chat gets a `web_app` button on LEDGERBOT_PUBLIC_URL's /app/. Telegram refuses
`web_app` buttons in groups, so a group (the digest) gets a URL button on a
`t.me/<bot>?startapp=<param>` link, which opens the bot's main Mini App (set with @BotFather)
with `start_param` in its init data. The page reads the same four things from either form:
the screen, and optionally a period, a unit id and a task id (`grid_p2023-03_u12_t5`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from messages.i18n import Catalog

texts = Catalog(
    {
        "open_ledger": {"zh": "打开台账", "en": "Open the ledger"},
        "fill_in_table": {"zh": "在表格中填报", "en": "Report in the table"},
        "review_queue": {"zh": "审定", "en": "Approve reports"},
    }
)
SCREENS = {"grid": "open_ledger", "form": "fill_in_table", "review": "review_queue"}
_PERIOD = re.compile(r"\d{4}-\d{2}")


@dataclass(frozen=True)
class Target:
    """Where the app opens: a screen, and optionally a period, a unit and a task (ids)."""

    screen: str
    period: str | None = None
    unit: int | None = None
    task: int | None = None

    def query(self) -> dict[str, str]:
        found = {"screen": self.screen, "period": self.period, "unit": self.unit, "task": self.task}
        return {key: str(value) for key, value in found.items() if value is not None}

    def start_param(self) -> str:
        """`grid`, `grid_p2023-03`, `form_p2023-03_t5`, `grid_u12_t5`: Telegram allows 1–64
        characters of A-Z a-z 0-9 _ - in a startapp parameter."""
        parts = [self.screen]
        if self.period and _PERIOD.fullmatch(self.period):
            parts.append(f"p{self.period}")
        parts += [f"{tag}{value}" for tag, value in (("u", self.unit), ("t", self.task)) if value]
        return "_".join(parts)


def app_url(public_url: str, target: Target | str | None = None) -> str:
    """The Mini App's address; the target (or a screen name) picks what it opens on."""
    if isinstance(target, str):
        target = Target(target)
    query = f"?{urlencode(target.query())}" if target else ""
    return f"{public_url.rstrip('/')}/app/{query}"


def startapp_link(bot_username: str, target: Target | str) -> str:
    """A t.me link that opens the bot's main Mini App on the target (works in groups too)."""
    param = target.start_param() if isinstance(target, Target) else target
    return f"https://t.me/{bot_username.lstrip('@')}?startapp={param}"


def app_button(
    public_url: str | None, target: Target | str, lang: str
) -> InlineKeyboardButton | None:
    """The `web_app` button of a private chat, or None without LEDGERBOT_PUBLIC_URL."""
    if not public_url:
        return None
    target = Target(target) if isinstance(target, str) else target
    label = texts(SCREENS[target.screen], lang)
    return InlineKeyboardButton(label, web_app=WebAppInfo(app_url(public_url, target)))


def group_app_button(
    public_url: str | None, bot_username: str | None, target: Target, lang: str
) -> InlineKeyboardButton | None:
    """The URL button of a group (a startapp link), or None without the public URL or the
    bot's username."""
    if not public_url or not bot_username:
        return None
    return InlineKeyboardButton(
        texts(SCREENS[target.screen], lang), url=startapp_link(bot_username, target)
    )


def with_button(
    markup: InlineKeyboardMarkup | None, button: InlineKeyboardButton | None
) -> InlineKeyboardMarkup | None:
    """The keyboard with the button as its last row (unchanged without a button)."""
    if button is None:
        return markup
    rows = [list(row) for row in markup.inline_keyboard] if markup else []
    return InlineKeyboardMarkup([*rows, [button]])
