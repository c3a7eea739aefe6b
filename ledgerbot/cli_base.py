"""Shared pieces of the `ledgerbot` command line: the Typer app, settings, sessions, output."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from ledger.clock import Clock
from ledgerbot.database import SchemaOutOfDate, opened
from models.db import make_session_factory, transaction

T = TypeVar("T")
log = logging.getLogger("ledgerbot")

app = typer.Typer(help="ledgerbot: the progress ledger (推进台账) bot.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
units_app = typer.Typer(help="Units of the registry.", invoke_without_command=True)
app.add_typer(units_app, name="units")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


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


def now(settings: Settings) -> datetime:
    """The CLI's clock: the same as the bot's, so LEDGERBOT_FAKE_NOW rehearsals agree."""
    return Clock(settings.fake_now).now()


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
