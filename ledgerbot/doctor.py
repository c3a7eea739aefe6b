"""`ledgerbot doctor`: one line per check of what the bot needs to run, worst first to fix.

Checks settings, the database (reachable, writable, migrations at head), Telegram (token
accepted, webhook as the settings say), the working calendar (this year and next known to
`chinese-calendar`) and disk space. Nothing is changed: the write check is rolled back.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from config import Settings
from ledger.workdays import known_year
from ledgerbot.startup import (
    MB,
    describe_database_error,
    existing_folder,
    rejected_token,
    telegram_host,
    where,
)
from models import schema
from models.db import make_engine, sqlite_path

Status = Literal["ok", "WARN", "FAIL"]


@dataclass(frozen=True)
class Check:
    status: Status
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name:<10}  {self.detail}"


def check_settings(settings: Settings) -> Check:
    mode = f"webhook {settings.webhook_url}" if settings.webhook_url else "polling"
    summary = f"{where(settings)}; {mode}; time zone {settings.timezone}"
    if settings.telegram_token is None:
        return Check("FAIL", "settings", f"LEDGERBOT_TELEGRAM_TOKEN is not set; {summary}")
    if settings.webhook_url and settings.webhook_secret is None:
        problem = "LEDGERBOT_WEBHOOK_SECRET is not set: anyone who learns the URL can post updates"
        return Check("WARN", "settings", f"{problem}; {summary}")
    return Check("ok", "settings", summary)


async def check_database(settings: Settings) -> list[Check]:
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        return [
            Check(
                "WARN",
                "database",
                f"{path} does not exist yet: `ledgerbot run` or `ledgerbot db upgrade` creates it",
            )
        ]
    engine = make_engine(settings.database_url)
    found: list[Check] = []
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        found.append(Check("ok", "database", f"reachable: {where(settings)}"))
        current = await schema.current_revision(engine)
        async with engine.connect() as connection:
            await connection.begin()
            try:  # a write the database must accept, rolled back
                await connection.execute(text("CREATE TABLE ledgerbot_doctor_probe (x INTEGER)"))
            finally:
                await connection.rollback()
        found.append(Check("ok", "database", "writable"))
        found.append(check_revision(settings, current))
    except (SQLAlchemyError, OSError) as exc:
        found.append(Check("FAIL", "database", describe_database_error(exc, settings)))
    finally:
        await engine.dispose()
    return found


def check_revision(settings: Settings, current: str | None) -> Check:
    head = schema.head_revision()
    if current == head:
        return Check("ok", "migrations", f"at {head} (head)")
    if current is not None and current not in schema.known_revisions():
        return Check(
            "FAIL", "migrations", f"at {current}, unknown to this version of ledgerbot ({head})"
        )
    state = f"at {current}, the code needs {head}" if current else f"empty, the code needs {head}"
    if settings.is_sqlite:
        return Check("WARN", "migrations", f"{state}: the bot upgrades it at start")
    return Check("FAIL", "migrations", f"{state}: run `ledgerbot db upgrade`")


async def check_telegram(settings: Settings) -> list[Check]:
    if settings.telegram_token is None:
        return []
    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_base_url)
    try:
        async with bot:
            me = bot.bot
            info = await bot.get_webhook_info()
    except InvalidToken as exc:
        return [Check("FAIL", "telegram", rejected_token(exc.message))]
    except TelegramError as exc:
        problem = f"unreachable at {telegram_host(settings)}: {exc.message}"
        return [Check("FAIL", "telegram", problem)]
    found = [Check("ok", "telegram", f"token accepted: @{me.username} (id {me.id})")]
    wanted = settings.webhook_url or ""
    pending = f"{info.pending_update_count} updates waiting"
    if info.url == wanted:
        detail = f"set to {wanted}" if wanted else "none set, as polling needs"
        found.append(Check("ok", "webhook", f"{detail}; {pending}"))
    elif wanted:
        found.append(
            Check(
                "WARN",
                "webhook",
                f"Telegram delivers to {info.url or 'nobody'}, the settings say {wanted}: the bot "
                "sets it when it starts; if it is running, another process changed it",
            )
        )
    else:
        found.append(
            Check(
                "WARN",
                "webhook",
                f"Telegram delivers to {info.url} but LEDGERBOT_WEBHOOK_URL is not set: "
                "polling removes that webhook when the bot starts",
            )
        )
    if info.url and info.last_error_message:
        found.append(
            Check("WARN", "webhook", f"Telegram's last delivery failed: {info.last_error_message}")
        )
    return found


def check_calendar(today: date) -> Check:
    package = f"chinese-calendar {version('chinesecalendar')}"
    this, following = today.year, today.year + 1
    if not known_year(this):
        return Check(
            "FAIL",
            "calendar",
            f"{package} has no holidays for {this}: upgrade it (pip install -U chinesecalendar); "
            "until then only weekends are days off",
        )
    if known_year(following):
        return Check("ok", "calendar", f"{this} and {following} known to {package}")
    if today.month >= 11:
        return Check(
            "WARN",
            "calendar",
            f"{following}'s holidays are not in {package} yet (announced each November): "
            "upgrade it once a release has them",
        )
    return Check(
        "ok", "calendar", f"{this} known to {package}; {following} is announced in November"
    )


def check_disk(settings: Settings) -> list[Check]:
    folders: list[tuple[str, Path]] = []
    path = sqlite_path(settings.database_url)
    if path is not None:
        folders.append(("database", existing_folder(path)))
    if settings.backup_dir is not None:
        folders.append(("backups", existing_folder(settings.backup_dir / "x")))
    if not folders:
        return [Check("ok", "disk", "PostgreSQL keeps its data on its server: check it there")]
    found = []
    for what, folder in folders:
        free = shutil.disk_usage(folder).free / MB
        detail = f"{free / 1024:.1f} GB free for the {what} at {folder}"
        if free < settings.min_free_mb:
            limit = f"below LEDGERBOT_MIN_FREE_MB={settings.min_free_mb}"
            found.append(Check("FAIL", "disk", f"{detail}, {limit}"))
        elif free < 10 * settings.min_free_mb:
            found.append(Check("WARN", "disk", f"{detail}: getting full"))
        else:
            found.append(Check("ok", "disk", detail))
    return found


async def run_checks(settings: Settings, today: date) -> list[Check]:
    return [
        check_settings(settings),
        *await check_database(settings),
        *await check_telegram(settings),
        check_calendar(today),
        *check_disk(settings),
    ]
