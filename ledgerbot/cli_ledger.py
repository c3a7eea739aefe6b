"""The ledger of record from the command line: pause units with dates, close and reopen periods,
list, close and carry over plans."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

import typer

from ledger.periods import Period, ledger_period
from ledgerbot.cli_base import (
    JsonFlag,
    app,
    as_of,
    fail,
    load_settings,
    now,
    print_json,
    with_session,
)
from services.audit import Actor
from services.obligations import set_closed
from services.pauses import PauseError, PauseResult, pause, resume
from services.plans import PlanError, carry_over, list_plans, set_plan_closed, set_support_reports
from services.units import UnknownUnit

period_app = typer.Typer(help="Monthly ledgers: close (freeze) or reopen a period.")
plan_app = typer.Typer(
    help="Plans: list, close (freeze), reopen, carry over, turn support reports on or off."
)
app.add_typer(period_app, name="period")
app.add_typer(plan_app, name="plan")

DateOption = Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")]


def _date(text: str | None, default: date | None) -> date | None:
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError as bad:
        raise fail(f"bad date {text!r}: expected YYYY-MM-DD such as 2023-07-01") from bad


def _changes(result: PauseResult) -> str:
    if not result.changed_periods:
        return "open periods unchanged"
    return "; ".join(
        f"{period}: -{c['removed']} +{c['added']} obligations"
        for period, c in result.changed_periods.items()
    )


@app.command("pause")
def pause_command(
    unit: Annotated[str, typer.Argument(help="The unit (name or alias).")],
    start: Annotated[str | None, typer.Option("--from", help="First day (default: today).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (default: until resumed).")] = None,
) -> None:
    """Pause a unit: it owes nothing for periods that open while it is paused; periods already
    open or closed keep what they owe."""
    settings = load_settings()
    today = now(settings).astimezone(settings.tz).date()
    starts, ends = _date(start, today), _date(until, None)
    assert starts is not None

    async def work(session: Any) -> PauseResult:
        return await pause(
            session, unit_name=unit, starts_on=starts, ends_on=ends, actor=Actor.cli(),
            now=now(settings), rules=settings.calendar_rules(), tz=settings.tz,
        )  # fmt: skip

    try:
        result = with_session(settings, work)
    except (PauseError, UnknownUnit) as exc:
        hint = "; see `ledgerbot units`" if isinstance(exc, UnknownUnit) else ""
        raise fail(f"{exc}{hint}") from exc
    span = f"from {starts}" + (f" until {ends}" if ends else " until resumed")
    typer.echo(f"{result.unit}: paused {span} ({_changes(result)})")


@app.command("resume")
def resume_command(unit: Annotated[str, typer.Argument(help="The unit (name or alias).")]) -> None:
    """End a unit's pause today: periods opening from today on are owed again."""
    settings = load_settings()

    async def work(session: Any) -> PauseResult:
        return await resume(
            session, unit_name=unit, actor=Actor.cli(), now=now(settings),
            rules=settings.calendar_rules(), tz=settings.tz,
        )  # fmt: skip

    try:
        result = with_session(settings, work)
    except (PauseError, UnknownUnit) as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"{result.unit}: resumed from {result.ends_on} ({_changes(result)})")


def _period(key: str) -> Period:
    try:
        return ledger_period(key)
    except ValueError as bad:
        raise fail(str(bad)) from bad


def _close(key: str, closed: bool) -> None:
    settings = load_settings()
    period = _period(key)

    async def work(session: Any) -> bool:
        return await set_closed(
            session, period, closed=closed, actor=Actor.cli(), now=now(settings),
            rules=settings.calendar_rules(), tz=settings.tz,
        )  # fmt: skip

    changed = with_session(settings, work)
    state = "closed: its obligations are frozen" if closed else "reopened"
    typer.echo(f"{period.key} {state}" if changed else f"{period.key} was already {state[:8]}")


@period_app.command("close")
def period_close(period: Annotated[str, typer.Argument(help="YYYY-MM")]) -> None:
    """Close a period now: its obligations no longer follow the registry (late entries are
    still accepted and marked late)."""
    _close(period, True)


@period_app.command("reopen")
def period_reopen(period: Annotated[str, typer.Argument(help="YYYY-MM")]) -> None:
    """Reopen a closed period: registry changes update its obligations again."""
    _close(period, False)


@plan_app.command("list")
def plan_list(as_json: JsonFlag = False) -> None:
    """Every plan with its code, window and state."""
    plans = with_session(load_settings(), list_plans)
    if as_json:
        print_json([asdict(p) for p in plans])
        return
    for p in plans:
        state = "closed" if p.closed else "open"
        typer.echo(f"{p.year}\t{p.code}\t{p.first_period}…{p.last_period}\t{state}\t"
                   f"{p.tasks} tasks\t{p.title}")  # fmt: skip


CodeOption = Annotated[str | None, typer.Option(help="The plan's code, when the year has several.")]


def _plan_closed(year: int, code: str | None, closed: bool) -> None:
    settings = load_settings()

    async def work(session: Any) -> str:
        plan = await set_plan_closed(session, year=year, code=code, closed=closed,
                                     actor=Actor.cli(), now=now(settings))  # fmt: skip
        return plan.code

    try:
        name = with_session(settings, work)
    except PlanError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"plan {name} ({year}) " + ("closed: frozen" if closed else "reopened"))


@plan_app.command("close")
def plan_close(year: int, code: CodeOption = None) -> None:
    """Freeze a plan: no re-import, and periods opening from now on owe nothing under it."""
    _plan_closed(year, code, True)


@plan_app.command("reopen")
def plan_reopen(year: int, code: CodeOption = None) -> None:
    """Undo `plan close`."""
    _plan_closed(year, code, False)


@plan_app.command("carry-over")
def plan_carry_over(
    from_year: Annotated[int, typer.Argument(help="The year whose plan is carried over.")],
    to: Annotated[int, typer.Option("--to", help="The new plan's year.")],
    code: CodeOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Create TO's plan from FROM_YEAR's tasks not reported 已完成, with their units, and list
    what was carried."""
    settings = load_settings()

    async def work(session: Any) -> Any:
        return await carry_over(session, from_year=from_year, to_year=to, code=code,
                                actor=Actor.cli(), now=now(settings))  # fmt: skip

    try:
        result = with_session(settings, work)
    except PlanError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(asdict(result))
        return
    typer.echo(f"new plan {result.plan.code} ({to}): {result.plan.title}")
    for item in result.carried:
        typer.echo(f"+ {item['number']}. {str(item['text'])[:40]}")
    typer.echo(f"{len(result.carried)} carried, {len(result.finished)} finished (已完成, left)")


@plan_app.command("support")
def plan_support(
    state: Annotated[str, typer.Argument(help="on or off")],
    code: Annotated[str, typer.Argument(help="The plan's code (see `ledgerbot plan list`).")],
) -> None:
    """Turn supporting units' input (配合单位反馈) on or off for a plan; open periods follow."""
    if state not in ("on", "off"):
        raise fail("say on or off: ledgerbot plan support on|off CODE")
    settings = load_settings()

    async def work(session: Any) -> dict[str, dict[str, int]]:
        return await set_support_reports(session, code=code, on=state == "on", actor=Actor.cli(),
                                         as_of=as_of(settings))  # fmt: skip

    try:
        changes = with_session(settings, work)
    except PlanError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"plan {code}: support reports {state}")
    for period, counts in changes.items():
        typer.echo(f"{period}: +{counts['added']} -{counts['removed']} obligations")
