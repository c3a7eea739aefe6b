"""People commands: invite codes, staff and admins, unbinding contacts."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from config import Settings
from ledger.vocab import ContactRole
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
from services.audit import Actor
from services.binding import create_invite, deep_link, list_invites, revoke_invite, unbind
from services.staff import add_staff, list_staff, remove_staff
from services.units import UnknownUnit

# `invite UNIT --role …` must be a plain command (options after the unit), so listing and
# revoking live in their own group.
invites_app = typer.Typer(help="List or revoke binding codes.", no_args_is_help=True)
staff_app = typer.Typer(help="Bureau staff and admins.", no_args_is_help=True)
app.add_typer(invites_app, name="invites")
app.add_typer(staff_app, name="staff")


def bot_username(settings: Settings) -> str:
    """The bot's @username for deep links: from settings, or asked from Telegram (getMe)."""
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if settings.telegram_token is None:
        raise fail("set LEDGERBOT_BOT_USERNAME (or LEDGERBOT_TELEGRAM_TOKEN) to make invite links")
    from telegram import Bot
    from telegram.error import TelegramError

    async def _ask() -> str:
        assert settings.telegram_token is not None
        bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_base_url)
        async with bot:
            return bot.username

    try:
        return asyncio.run(_ask())
    except TelegramError as error:
        raise fail(f"could not ask Telegram for the bot's username: {error}") from error


@app.command()
def invite(
    unit: Annotated[str, typer.Argument(help="Unit name or alias.")],
    role: Annotated[ContactRole, typer.Option(help="contact or principal.")] = ContactRole.CONTACT,
    uses: Annotated[int, typer.Option(min=1, help="How many people may use it.")] = 1,
    days: Annotated[float, typer.Option(min=0.01, help="Days until it expires.")] = 7,
    as_json: JsonFlag = False,
) -> None:
    """Make a binding code and its deep link: `ledgerbot invite 市交通运输局`."""
    settings = load_settings()
    username = bot_username(settings)
    try:
        issued = with_session(
            settings,
            lambda s: create_invite(
                s,
                unit_name=unit,
                role=role,
                uses=uses,
                days=days,
                now=now(settings),
                actor=Actor.cli(),
            ),
        )
    except UnknownUnit as unknown:
        raise fail(f"unknown unit {unknown.name!r}; see `ledgerbot units`") from unknown
    link = deep_link(username, issued.code)
    if as_json:
        print_json(
            {
                "code": issued.code,
                "link": link,
                "unit": issued.unit,
                "role": issued.role.value,
                "expires_at": local(issued.expires_at, settings).isoformat(),
            }
        )
        return
    expires = local(issued.expires_at, settings)
    typer.echo(
        f"{issued.unit} ({issued.role.value}), expires {expires:%Y-%m-%d %H:%M} ({settings.tz})"
    )
    typer.echo(
        f"code: {issued.code}\nlink: {link}\nid:   {issued.id} (for `ledgerbot invites revoke`)"
    )


@invites_app.command("list")
def invite_list(as_json: JsonFlag = False) -> None:
    """List invites (codes are never shown again: only their ids)."""
    settings = load_settings()
    rows = with_session(settings, list_invites)
    data = [
        {
            "id": i.id,
            "unit": unit,
            "role": i.role.value,
            "uses": i.uses,
            "max_uses": i.max_uses,
            "expires_at": local(i.expires_at, settings).isoformat(),
            "revoked": i.revoked_at is not None,
        }
        for i, unit in rows
    ]
    if as_json:
        print_json(data)
        return
    for d in data:
        revoked = "\trevoked" if d["revoked"] else ""
        typer.echo(
            f"{d['id']}\t{d['unit']}\t{d['role']}\t{d['uses']}/{d['max_uses']}\t"
            f"{d['expires_at']}{revoked}"
        )


@invites_app.command("revoke")
def invite_revoke(invite_id: int) -> None:
    """Revoke an invite by id."""
    settings = load_settings()
    done = with_session(
        settings,
        lambda s: revoke_invite(s, invite_id=invite_id, now=now(settings), actor=Actor.cli()),
    )
    if not done:
        raise fail(f"no active invite with id {invite_id}")
    typer.echo(f"invite {invite_id} revoked")


@staff_app.command("add")
def staff_add(
    telegram_id: int, admin: Annotated[bool, typer.Option("--admin", help="Also an admin.")] = False
) -> None:
    """Add a bureau staff member (or admin) by Telegram user id."""
    settings = load_settings()
    with_session(
        settings,
        lambda s: add_staff(
            s, user_id=telegram_id, admin=admin, now=now(settings), actor=Actor.cli()
        ),
    )
    typer.echo(f"{telegram_id} is now {'an admin' if admin else 'staff'}")


@staff_app.command("remove")
def staff_remove(telegram_id: int) -> None:
    """Remove a staff member (history stays)."""
    settings = load_settings()
    done = with_session(
        settings,
        lambda s: remove_staff(s, user_id=telegram_id, now=now(settings), actor=Actor.cli()),
    )
    if not done:
        raise fail(f"{telegram_id} is not staff")
    typer.echo(f"{telegram_id} removed from staff")


@staff_app.command("list")
def staff_list(as_json: JsonFlag = False) -> None:
    """List active staff."""
    rows = with_session(load_settings(), list_staff)
    data = [{"telegram_id": r.telegram_user_id, "admin": r.is_admin} for r in rows]
    if as_json:
        print_json(data)
        return
    for d in data:
        typer.echo(f"{d['telegram_id']}\t{'admin' if d['admin'] else 'staff'}")


@app.command("unbind")
def unbind_command(
    telegram_id: int,
    unit: Annotated[str | None, typer.Option(help="Only this unit (default: all).")] = None,
) -> None:
    """Unbind a contact or principal from a unit; their past entries stay."""
    settings = load_settings()
    try:
        count = with_session(
            settings,
            lambda s: unbind(
                s, user_id=telegram_id, unit_name=unit, now=now(settings), actor=Actor.cli()
            ),
        )
    except UnknownUnit as unknown:
        raise fail(f"unknown unit {unknown.name!r}") from unknown
    if not count:
        raise fail(f"{telegram_id} has no active binding" + (f" to {unit}" if unit else ""))
    typer.echo(f"unbound {count} binding(s) of {telegram_id}")
