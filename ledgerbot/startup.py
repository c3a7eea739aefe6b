"""Start-up checks that turn a broken environment into one clear line, never a traceback.

The database is checked first (free disk, reachable, schema, writable); then Telegram must
accept the token. A rejected token ends start-up with exit code 2; an unreachable Telegram is
retried with a bounded backoff, one log line per attempt, until it answers or the process is
stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, User
from telegram.error import InvalidToken, NetworkError, TimedOut

from config import Settings
from ledgerbot.database import SchemaOutOfDate, opened
from models.db import sqlite_path

log = logging.getLogger(__name__)
MB = 1024 * 1024
TELEGRAM_RETRY_FIRST = 1.0
TELEGRAM_RETRY_CAP = 60.0  # at most a minute between attempts


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line to show, `code` the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def rejected_token(description: str = "Unauthorized") -> str:
    status = "404 Not Found" if "not found" in description.lower() else "401 Unauthorized"
    return f"Telegram rejected LEDGERBOT_TELEGRAM_TOKEN ({status}); check it with @BotFather"


def where(settings: Settings) -> str:
    """The database, named without its password."""
    path = sqlite_path(settings.database_url)
    if path is not None:
        return f"SQLite database {path}"
    if settings.is_sqlite:
        return "in-memory SQLite database"
    url = make_url(settings.database_url)
    host = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"PostgreSQL database {url.database or ''} at {host}"


def existing_folder(path: Path) -> Path:
    """The nearest folder of `path` that exists (a fresh data folder is made later)."""
    folder = path.parent.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def free_mb(path: Path) -> float:
    return shutil.disk_usage(existing_folder(path)).free / MB


def check_sqlite_folder(settings: Settings) -> None:
    """SQLite: refuse to start on a read-only or (nearly) full disk instead of failing on the
    first write."""
    path = sqlite_path(settings.database_url)
    if path is None:
        return
    folder = existing_folder(path)
    if not os.access(folder, os.W_OK):
        raise StartupError(f"{where(settings)} is read-only: cannot write in its folder {folder}")
    free = free_mb(path)
    if free < settings.min_free_mb:
        raise StartupError(
            f"disk full: {free:.0f} MB free where the {where(settings)} lives, the bot needs "
            f"{settings.min_free_mb} MB (LEDGERBOT_MIN_FREE_MB); free some space"
        )


def describe_database_error(exc: BaseException, settings: Settings) -> str:
    """One line for a database failure, naming the database but never its password."""
    reasons = []
    cause: BaseException | None = exc
    while cause is not None:
        reasons.append(f"{type(cause).__name__} {cause}")
        cause = cause.__cause__ or cause.__context__
    why = " ".join(reasons).lower()
    name = where(settings)
    path = sqlite_path(settings.database_url)
    if "read-only" in why or "readonly" in why or "read only" in why:
        return f"{name} is read-only: the bot must be able to write it"
    if "disk is full" in why or "diskfull" in why or "no space left" in why:
        return f"disk full: cannot write the {name}; free some space"
    if path is not None and ("disk i/o error" in why or "unable to open" in why):
        folder = existing_folder(path)
        if not os.access(folder, os.W_OK):
            return f"{name} is read-only: cannot write in its folder {folder}"
        if free_mb(path) < 1:
            return f"disk full: cannot write the {name}; free some space"
        return f"cannot open the {name} ({reasons[-1].split(' ', 1)[-1].strip()})"
    last = str(reasons[-1]).split(" ", 1)[-1].strip() or reasons[-1]
    return f"{name} is unreachable: {last[:200]}"


async def check_database(settings: Settings) -> None:
    """Free space, then open (SQLite upgrades itself), then a write the database must accept."""
    check_sqlite_folder(settings)
    try:
        async with opened(settings) as engine, engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text("DELETE FROM alembic_version WHERE 1 = 0"))
            await transaction.rollback()
    except SchemaOutOfDate as exc:
        raise StartupError(str(exc), code=2) from exc
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(describe_database_error(exc, settings)) from exc


Sleep = Callable[[float], Awaitable[None]]


async def wait_for_telegram(settings: Settings, sleep: Sleep = asyncio.sleep) -> User:
    """getMe until Telegram answers: a rejected token is fatal, no network is retried."""
    assert settings.telegram_token is not None
    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_base_url)
    delay, attempt = TELEGRAM_RETRY_FIRST, 1
    while True:
        try:
            async with bot:  # initialize() calls getMe
                return bot.bot
        except InvalidToken as exc:
            raise StartupError(rejected_token(exc.message), code=2) from None
        except (NetworkError, TimedOut) as exc:
            log.warning(
                "Telegram is unreachable at %s (%s); attempt %d, retrying in %.0f s",
                telegram_host(settings),
                exc.message,
                attempt,
                delay,
            )
        await sleep(delay)
        delay, attempt = min(delay * 2, TELEGRAM_RETRY_CAP), attempt + 1


def telegram_host(settings: Settings) -> str:
    return urlsplit(settings.telegram_base_url).netloc or settings.telegram_base_url
