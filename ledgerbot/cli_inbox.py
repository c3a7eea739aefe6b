"""`ledgerbot inbox`: incoming updates waiting, being handled or parked as failed; retry one."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from config import Settings
from ledger.vocab import InboxState
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
from models import InboxUpdate
from services import inbox
from services.audit import Actor, record

inbox_app = typer.Typer(
    help="Incoming updates: stored before they are acknowledged, then handled.",
    invoke_without_command=True,
)
app.add_typer(inbox_app, name="inbox")


def _row(r: InboxUpdate, settings: Settings) -> dict[str, Any]:
    return {
        "id": r.id,
        "update_id": r.update_id,
        "kind": r.kind,
        "chat_id": r.chat_id,
        "state": r.state.value,
        "attempts": r.attempts,
        "last_error": r.last_error,
        "received_at": local(r.received_at, settings).isoformat(),
        "next_attempt_at": local(r.next_attempt_at, settings).isoformat(),
        "handled_at": local(r.handled_at, settings).isoformat() if r.handled_at else None,
    }


@inbox_app.callback()
def inbox_command(
    ctx: typer.Context,
    state: Annotated[InboxState | None, typer.Option(help="Only updates in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    as_json: JsonFlag = False,
) -> None:
    """List incoming updates (newest first) and the count in each state."""
    if ctx.invoked_subcommand is not None:
        return

    async def _work(session: Any) -> tuple[list[dict[str, Any]], dict[InboxState, int]]:
        rows = await inbox.list_rows(session, state=state, limit=limit)
        return [_row(r, settings) for r in rows], await inbox.counts_by_state(session)

    settings = load_settings()
    rows, counts = with_session(settings, _work)
    if as_json:
        print_json({"counts": {k.value: v for k, v in counts.items()}, "rows": rows})
        return
    typer.echo("  ".join(f"{k.value}: {v}" for k, v in counts.items()) or "inbox is empty")
    for d in rows:
        typer.echo(
            f"{d['id']}\t{d['state']}\tupdate {d['update_id']}\t{d['kind']}\tchat {d['chat_id']}"
            f"\tattempts {d['attempts']}\t{d['last_error'] or ''}"
        )


@inbox_app.command("retry")
def retry_command(row_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Put a failed update back in line; the running bot handles it within seconds."""
    settings = load_settings()

    async def _work(session: Any) -> tuple[InboxUpdate | None, bool]:
        row, requeued = await inbox.retry(session, row_id, now=now(settings))
        if row is not None and requeued:
            record(session, Actor.cli(), "inbox.retry", str(row.update_id), inbox_id=row.id)
        return row, requeued

    row, requeued = with_session(settings, _work)
    if row is None:
        raise fail(f"no update with id {row_id} in the inbox; see `ledgerbot inbox`")
    if not requeued:
        raise fail(f"update {row.update_id} is {row.state.value}, not failed: nothing to retry")
    typer.echo(f"update {row.update_id} (id {row.id}) is queued again")
