"""`ledgerbot doctor`: is everything the bot needs in place? One line per check."""

from __future__ import annotations

import asyncio

import typer
from pydantic import ValidationError

from config import Settings
from ledgerbot.cli_base import app, now
from ledgerbot.doctor import Check, run_checks


@app.command()
def doctor() -> None:
    """Check settings, database, Telegram, calendar and disk; exit 1 if a check fails."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"LEDGERBOT_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        typer.echo(Check("FAIL", "settings", problems).line())
        raise typer.Exit(1) from None
    today = now(settings).astimezone(settings.tz).date()
    checks = asyncio.run(run_checks(settings, today))
    for check in checks:
        typer.echo(check.line())
    if any(check.status == "FAIL" for check in checks):
        raise typer.Exit(1)
