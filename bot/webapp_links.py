"""Ways into the Mini App from the chat: the menu button, per role, pointing at
LEDGERBOT_PUBLIC_URL's /app/ (nothing while it is unset). The [打开台账] / [在表格中填报]
buttons are built in messages.app_links, which the scheduler's messages share."""

from __future__ import annotations

import logging

from telegram import Bot, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from messages.app_links import SCREENS, app_button, app_url, startapp_link, texts
from services.identity import Identity

__all__ = ["app_button", "app_url", "first_screen", "publish_menu", "startapp_link"]
log = logging.getLogger(__name__)


def first_screen(identity: Identity) -> str | None:
    """What the user opens the app for: staff the grid, contacts the form, principals 审定."""
    if identity.is_staff:
        return "grid"
    if identity.is_contact:
        return "form"
    if identity.is_principal:
        return "review"
    return None


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
