"""`ledgerbot api-token create|list|revoke`: tokens for other systems to use the HTTP API."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledgerbot.cli_base import JsonFlag, app, fail, load_settings, now, print_json, with_session
from services import api_tokens
from services.audit import Actor

token_app = typer.Typer(help="API tokens (Authorization: Bearer) for other systems.")
app.add_typer(token_app, name="api-token")


@token_app.command()
def create(
    name: Annotated[str, typer.Argument(help="Who will use it, e.g. the office's dashboard.")],
    write: Annotated[
        bool, typer.Option("--write", help="May also write (default read-only).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a token; it is printed once and only its hash is kept."""
    settings = load_settings()

    async def _work(session: Any) -> str:
        return await api_tokens.create(
            session, name, can_write=write, now=now(settings), actor=Actor.cli()
        )

    try:
        token = with_session(settings, _work)
    except api_tokens.TokenRefused as refused:
        raise fail(str(refused)) from None
    if as_json:
        print_json({"name": name.strip(), "token": token})
    else:
        typer.echo(token)
        typer.echo("Keep it now: it is not shown again.", err=True)


@token_app.command("list")
def list_tokens(as_json: JsonFlag = False) -> None:
    """Every token: name, read-only or write, created, last used, revoked."""
    settings = load_settings()

    async def _work(session: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": t.name,
                "write": t.can_write,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in await api_tokens.listed(session)
        ]

    rows = with_session(settings, _work)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "active"
        typer.echo(f"{r['name']}\t{'write' if r['write'] else 'read'}\t{state}")


@token_app.command()
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    settings = load_settings()

    async def _work(session: Any) -> None:
        await api_tokens.revoke(session, name, now=now(settings), actor=Actor.cli())

    try:
        with_session(settings, _work)
    except api_tokens.TokenRefused as refused:
        raise fail(str(refused)) from None
    typer.echo(f"revoked {name}")
