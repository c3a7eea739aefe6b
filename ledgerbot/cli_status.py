"""`ledgerbot status`: the same data staff see with /status, for scripts and terminals."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.periods import ledger_period
from ledgerbot.cli_base import JsonFlag, app, fail, load_settings, now, print_json, with_session
from services.periods import open_period
from services.status import PeriodStatus, period_status
from services.status_document import status_json
from services.units import find_unit


@app.command()
def status(
    period: Annotated[str | None, typer.Option(help="YYYY-MM (default: the open period).")] = None,
    unit: Annotated[str | None, typer.Option(help="Only this unit.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """What each unit owes and has submitted for a period."""
    settings = load_settings()
    try:
        wanted = ledger_period(period) if period else None
    except ValueError as bad:
        raise fail(str(bad)) from bad

    async def _work(session: Any) -> PeriodStatus | None:
        key = wanted or await open_period(session, now=now(settings), tz=settings.tz)
        unit_ids = None
        if unit is not None:
            found = await find_unit(session, unit)
            if found is None:
                return None
            unit_ids = [found.id]
        return await period_status(
            session, period=key, unit_ids=unit_ids, now=now(settings),
            rules=settings.calendar_rules(), tz=settings.tz,
        )  # fmt: skip

    result = with_session(settings, _work)
    if result is None:
        raise fail(f"unknown unit {unit!r}; see `ledgerbot units`")
    data = status_json(result)
    if as_json:
        print_json(data)
        return
    if not result.covered:
        typer.echo(f"{data['period']}  no plan covers this period: nothing is owed")
        return
    typer.echo(f"{data['period']}  {'、'.join(p.code for p in result.plans)}")
    for u in data["units"]:
        mark = "" if u["contacts"] else "\t未绑定 (no contact)"
        typer.echo(f"{u['unit']}\t{u['submitted']}/{u['owed']}{mark}")
