"""`ledgerbot status`: the same data staff see with /status, for scripts and terminals."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.periods import Period
from ledger.status import EntryView, UnitStatus
from ledger.vocab import UnitRole
from ledgerbot.cli_base import JsonFlag, app, fail, load_settings, now, print_json, with_session
from services.periods import open_period
from services.status import PeriodStatus, period_status
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
        wanted = Period.parse(period) if period else None
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


def status_json(result: PeriodStatus) -> dict[str, Any]:
    """The JSON of `ledgerbot status --json` (and the HTTP API's status document)."""
    if not result.covered:
        return {"period": result.period.key, "plans": [], "units": []}
    return {
        "period": result.period.key,
        "plans": [{"code": p.code, "title": p.title} for p in result.plans],
        "units": [
            {
                "unit": u.unit,
                "owed": u.owed,
                "submitted": u.submitted,
                "support_owed": u.support_owed,
                "support_submitted": u.support_submitted,
                "contacts": u.contacts,
                "principal": u.principal,
                "entries": [_entry(e, u) for e in u.entries],
            }
            for u in result.units
        ],
    }


def _entry(e: EntryView, unit: UnitStatus) -> dict[str, Any]:
    owed = next((o for o in unit.obligations if o.task_id == e.task_id), None)
    late = owed.late if owed is not None and owed.counted else e.late
    return {
        "task": e.task_number,
        "plan": e.plan_code,
        "status": e.status.value,
        "text": e.text,
        "submitted_at": e.submitted_at.isoformat() if e.submitted_at else "",
        "late": late,
        "approved": e.approved,
        "role": (owed.role if owed is not None else UnitRole.LEAD).value,
    }
