"""The chat's language: a stored choice, else the sender's Telegram language, else the default.
The catalogues themselves live in messages.i18n (the scheduler's notices use them too)."""

from __future__ import annotations

from messages.i18n import SUPPORTED, Catalog

__all__ = ["SUPPORTED", "Catalog", "pick_language"]


def pick_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """A stored choice (/lang) wins; otherwise English Telegram users get English."""
    if stored in SUPPORTED:
        return stored
    if telegram_code and telegram_code.lower().startswith("en"):
        return "en"
    return default if default in SUPPORTED else "zh"
