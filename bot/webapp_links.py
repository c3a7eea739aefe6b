"""Ways into the Mini App from the chat: the menu button (per role) and the [打开台账] /
[在表格中填报] buttons, all pointing at LEDGERBOT_PUBLIC_URL's /app/. Nothing is offered
while LEDGERBOT_PUBLIC_URL is unset (Telegram opens Mini Apps over HTTPS only).

Inline `web_app` buttons work in private chats only; for a group (the digest) use
`startapp_link`, which opens the bot's main Mini App as configured with @BotFather.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from telegram import Bot, InlineKeyboardButton, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from bot.i18n import Catalog
from services.identity import Identity

log = logging.getLogger(__name__)
texts = Catalog(
    {
        "open_ledger": {"zh": "打开台账", "en": "Open the ledger"},
        "fill_in_table": {"zh": "在表格中填报", "en": "Report in the table"},
        "review_queue": {"zh": "审定", "en": "Approve reports"},
    }
)
SCREENS = {"grid": "open_ledger", "form": "fill_in_table", "review": "review_queue"}


def app_url(public_url: str, screen: str | None = None) -> str:
    """The Mini App's address; `screen` (grid, form, review) picks the first screen."""
    query = f"?{urlencode({'screen': screen})}" if screen else ""
    return f"{public_url.rstrip('/')}/app/{query}"


def first_screen(identity: Identity) -> str | None:
    """What the user opens the app for: staff the grid, contacts the form, principals 审定."""
    if identity.is_staff:
        return "grid"
    if identity.is_contact:
        return "form"
    if identity.is_principal:
        return "review"
    return None


def app_button(public_url: str | None, screen: str, lang: str) -> InlineKeyboardButton | None:
    """[打开台账] (grid), [在表格中填报] (form) or [审定] (review), for a private chat."""
    if not public_url:
        return None
    return InlineKeyboardButton(
        texts(SCREENS[screen], lang), web_app=WebAppInfo(app_url(public_url, screen))
    )


def startapp_link(bot_username: str, screen: str) -> str:
    """A t.me link that opens the bot's main Mini App on `screen` (works in groups too)."""
    return f"https://t.me/{bot_username}?startapp={screen}"


async def publish_menu(
    bot: Bot, chat_id: int, identity: Identity, public_url: str | None, lang: str
) -> bool:
    """Set the private chat's menu button to the Mini App for the user's role; False when
    there is nothing to set or Telegram refused (the chat keeps working without it)."""
    screen = first_screen(identity)
    if not public_url or screen is None:
        return False
    button = MenuButtonWebApp(texts(SCREENS[screen], lang), WebAppInfo(app_url(public_url, screen)))
    try:
        return await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError as error:
        log.warning("could not set the Mini App menu button for %s: %s", chat_id, error)
        return False
