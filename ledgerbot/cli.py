"""The `ledgerbot` command line: run the bot and look after the registry."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import asdict
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken

from ledgerbot import (  # noqa: F401  (their commands join `app`)
    cli_api_token,
    cli_backup,
    cli_doctor,
    cli_export,
    cli_import,
    cli_inbox,
    cli_ledger,
    cli_people,
    cli_schedule,
    cli_status,
)
from ledgerbot.cli_base import (
    JsonFlag,
    app,
    db_app,
    fail,
    load_settings,
    now,
    print_json,
    units_app,
    with_session,
)
from ledgerbot.database import SchemaOutOfDate, opened
from ledgerbot.logs import secrets_of, setup_logging
from ledgerbot.startup import StartupError, describe_database_error, rejected_token
from models import schema
from services import registry


@app.command()
def run() -> None:
    """Run the bot (polling, or webhook when LEDGERBOT_WEBHOOK_URL is set)."""
    from ledgerbot.runner import run_bot
    from web.app import WebServerError

    settings = load_settings()
    if settings.telegram_token is None:
        raise fail(
            "LEDGERBOT_TELEGRAM_TOKEN is not set: get a token from @BotFather and export it "
            "(or put it in .env)"
        )
    setup_logging(settings.log_level, secrets_of(settings), settings.log_format)
    try:
        run_bot(settings)
    except StartupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(exc.code) from None
    except SchemaOutOfDate as exc:
        raise fail(str(exc)) from exc
    except InvalidToken as exc:  # its message quotes the token: never print it
        raise fail(rejected_token(exc.message)) from None
    except WebServerError as exc:  # a busy port: before OSError, which it is
        raise fail(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:  # the database failed while the bot started
        raise fail(describe_database_error(exc, settings), code=1) from None


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = load_settings()

    async def _main() -> str | None:
        async with opened(settings, check=False) as engine:
            await schema.upgrade(engine, revision)
            return await schema.current_revision(engine)

    typer.echo(f"database is at revision {asyncio.run(_main())}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the code's."""
    settings = load_settings()

    async def _main() -> str | None:
        async with opened(settings, check=False) as engine:
            return await schema.current_revision(engine)

    typer.echo(f"database: {asyncio.run(_main()) or 'empty'}; code: {schema.head_revision()}")


@units_app.callback()
def units(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List units (with kind, aliases and members)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    today = now(settings).astimezone(settings.tz).date()
    records = with_session(settings, lambda s: registry.list_units(session=s, today=today))
    if as_json:
        print_json([asdict(r) for r in records])
        return
    for r in records:
        extra = []
        if r.aliases:
            extra.append("别名 " + "、".join(r.aliases))
        if r.members:
            extra.append("成员 " + "、".join(r.members))
        typer.echo(f"{r.name}\t{r.kind}" + (f"\t{'；'.join(extra)}" if extra else ""))


@app.command()
def tasks(
    plan: Annotated[int | None, typer.Option(help="Plan year, e.g. 2023.")] = None,
    unit: Annotated[str | None, typer.Option(help="Only tasks this unit works on.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List tasks with their lead and support units."""
    records = with_session(
        load_settings(), lambda s: registry.list_tasks(session=s, plan_year=plan, unit_name=unit)
    )
    if as_json:
        print_json([asdict(r) for r in records])
        return
    for r in records:
        typer.echo(
            f"{r.plan_year} {r.number}. {r.text[:40]}\t牵头: {'、'.join(r.lead_units) or '—'}"
            f"\t配合: {'、'.join(r.support_units) or '—'}"
        )


def main() -> None:
    try:
        app()
    except (SQLAlchemyError, ConnectionError, socket.gaierror) as exc:  # any command: one line
        typer.echo(f"error: {describe_database_error(exc, load_settings())}", err=True)
        raise SystemExit(1) from None
