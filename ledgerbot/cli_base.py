"""Shared pieces of the `ledgerbot` command line: the Typer app, settings, sessions, output."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from ledger.clock import Clock
from ledger.timetable import AsOf
from ledgerbot.database import SchemaOutOfDate, opened
from ledgerbot.startup import describe_database_error
from models.db import make_session_factory, transaction

T = TypeVar("T")
log = logging.getLogger("ledgerbot")

app = typer.Typer(help="ledgerbot: the progress ledger (推进台账) bot.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
units_app = typer.Typer(help="Units of the registry.", invoke_without_command=True)
app.add_typer(units_app, name="units")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def local(at: datetime, settings: Settings) -> datetime:
    """A stored instant in the bureau's time zone (stored naive values are UTC)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(settings.tz)


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{_env_name(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise fail(f"bad settings: {problems}") from exc


def _env_name(loc: tuple[int | str, ...]) -> str:
    """The variable a settings error is about (fields with aliases report the alias)."""
    name = "_".join(str(part) for part in loc).upper()
    return name if name.startswith("LEDGERBOT_") else f"LEDGERBOT_{name}"


def with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one unit of work in a transaction on a ready database."""

    async def _main() -> T:
        async with (
            opened(settings) as engine,
            transaction(make_session_factory(engine)) as session,
        ):
            return await work(session)

    try:
        return asyncio.run(_main())
    except SchemaOutOfDate as exc:
        raise fail(str(exc)) from exc
    except (SQLAlchemyError, OSError) as exc:  # one line, never a traceback
        raise fail(describe_database_error(exc, settings), code=1) from None


def now(settings: Settings) -> datetime:
    """The CLI's clock: the same as the bot's, so LEDGERBOT_FAKE_NOW rehearsals agree."""
    return Clock(settings.fake_now).now()


def as_of(settings: Settings) -> AsOf:
    """Now in the bureau's calendar, as every read of the ledger of record takes it."""
    return AsOf(now=now(settings), rules=settings.calendar_rules(), tz=settings.tz)


def print_json(data: Any) -> None:
    """Write JSON to stdout in chunks: a 100,000-task report never becomes one huge string."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()
