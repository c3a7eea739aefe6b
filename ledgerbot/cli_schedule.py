"""Operations on the schedule: fire a job by hand, look at the outbox."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

import typer

from config import Settings
from ledger.periods import Period, Quarter, previous_period
from ledger.timetable import EventKind
from ledger.vocab import OutboxState
from ledgerbot.cli_base import (
    JsonFlag,
    app,
    fail,
    load_settings,
    local,
    now,
    print_json,
    with_session,
)
from ledgerbot.database import opened
from models.db import make_session_factory
from scheduler.jobs import fire
from services import outbox

QUARTERLY = {
    EventKind.MILESTONE_CHECKS,
    EventKind.MILESTONE_REMINDERS,
    EventKind.MILESTONE_ESCALATIONS,
}


def default_key(kind: EventKind, settings: Settings, now: datetime) -> str:
    today = now.astimezone(settings.tz).date()
    if kind in QUARTERLY:
        return Quarter.of(today).key
    if kind == EventKind.DIGESTS:
        return today.isoformat()
    return previous_period(today).key


def checked_key(kind: EventKind, key: str) -> str:
    parse = Quarter.parse if kind in QUARTERLY else Period.parse
    if kind == EventKind.DIGESTS:
        datetime.strptime(key, "%Y-%m-%d")
        return key
    return parse(key).key


@app.command("fire")
def fire_command(
    kind: Annotated[EventKind, typer.Argument(help="Which job to run.")],
    period: Annotated[
        str | None, typer.Option(help="YYYY-MM, YYYYQn for milestone jobs, a date for digests.")
    ] = None,
) -> None:
    """Run a scheduled job now (same code and dedupe as the scheduler: twice sends once).

    Rows are queued in the outbox; the running bot sends them within a second or so.
    """
    settings = load_settings()
    at = now(settings)
    try:
        key = checked_key(kind, period) if period else default_key(kind, settings, at)
    except ValueError as bad:
        raise fail(str(bad)) from bad

    async def _main() -> int:
        async with opened(settings) as engine:
            return await fire(
                kind,
                key,
                session_factory=make_session_factory(engine),
                settings=settings,
                now=at,
                fired_by="cli",
            )

    queued = asyncio.run(_main())
    typer.echo(f"{kind} {key}: {queued} new message(s) queued")


@app.command("outbox")
def outbox_command(
    state: Annotated[OutboxState | None, typer.Option(help="Only rows in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    as_json: JsonFlag = False,
) -> None:
    """What is waiting, failed or of unknown outcome in the outbox."""

    async def _work(session: Any) -> tuple[list[Any], dict[OutboxState, int]]:
        rows = await outbox.list_rows(session, state=state, limit=limit)
        return rows, await outbox.counts_by_state(session)

    settings = load_settings()
    rows, counts = with_session(settings, _work)
    data = [
        {
            "id": r.id,
            "kind": r.kind,
            "period": r.period,
            "recipient": r.recipient,
            "chat_id": r.chat_id,
            "state": r.state.value,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "sent_message_id": r.sent_message_id,
            "next_attempt_at": local(r.next_attempt_at, settings).isoformat(),
            "possible_duplicates": outbox.possible_duplicates(r.last_error),
        }
        for r in rows
    ]
    if as_json:
        print_json({"counts": {k.value: v for k, v in counts.items()}, "rows": data})
        return
    typer.echo("  ".join(f"{k.value}: {v}" for k, v in counts.items()) or "outbox is empty")
    for d in data:
        typer.echo(
            f"{d['id']}\t{d['state']}\t{d['kind']}\t{d['period']}\t{d['recipient']}"
            f"\tattempts {d['attempts']}\t{d['last_error'] or ''}"
        )
