"""`ledgerbot export …` and `ledgerbot digest`: the four documents and the digest, for terminals."""

from __future__ import annotations

import asyncio
import base64
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot import notices
from ledger.periods import Period, Quarter, ledger_period, ledger_quarter
from ledgerbot.cli_base import app, fail, load_settings, now, with_session
from ledgerbot.cli_output import check_target, write_output
from services import reports
from services.digest import DigestData, digest_data

export_app = typer.Typer(
    help="Export the ledger (推进台账), bulletin (季通报), scorecard (年考评) or raw entries.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

Output = Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")]
Force = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]


def _parse(kind: type[Period] | type[Quarter], text: str) -> Any:
    try:
        return ledger_period(text) if kind is Period else ledger_quarter(text)
    except ValueError as bad:
        raise fail(str(bad)) from bad


@export_app.command("ledger")
def export_ledger(
    period: Annotated[
        list[str] | None, typer.Option(help="YYYY-MM; repeat for more sheets.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="All twelve periods of a year.")] = None,
    output: Output = None,
    force: Force = False,
) -> None:
    """The monthly 推进台账 workbook: one sheet per period and plan."""
    from reports.ledger_xlsx import ledger_workbook  # the writers load only when used

    if not period and year is None:
        raise fail("give --period YYYY-MM (repeatable) or --year YYYY")
    periods = [_parse(Period, p) for p in period or []]
    periods += (
        [_parse(Period, f"{year:04d}-{m:02d}") for m in range(1, 13)] if year is not None else []
    )
    path = output or Path(f"ledger-{periods[0].key}.xlsx")
    check_target(path, force=force)
    settings = load_settings()
    rules, tz = settings.calendar_rules(), settings.tz

    async def work(session: Any) -> bytes:
        found = await reports.ledgers(
            session, periods=periods, rules=rules, tz=tz, now=now(settings)
        )
        if not found:
            raise fail("no plan covers that period: import one with `ledgerbot import`")
        return ledger_workbook(found, tz, now(settings))

    write_output(path, with_session(settings, work), force=force)


@export_app.command("bulletin")
def export_bulletin(
    quarter: Annotated[str, typer.Option(help="YYYYQn, e.g. 2023Q2.")],
    output: Output = None,
    force: Force = False,
) -> None:
    """The quarterly 季通报; .docx or .xlsx by the output's extension (default: .docx)."""
    from reports.bulletin import build
    from reports.bulletin_docx import bulletin_docx
    from reports.bulletin_xlsx import bulletin_xlsx

    q: Quarter = _parse(Quarter, quarter)
    path = output or Path(f"bulletin-{q.key}.docx")
    if path.suffix not in (".docx", ".xlsx"):
        raise fail("the bulletin is written as .docx or .xlsx")
    check_target(path, force=force)
    settings = load_settings()

    async def work(session: Any) -> bytes:
        data = await reports.quarter_data(
            session, quarter=q, rules=settings.calendar_rules(), tz=settings.tz,
            now=now(settings),
        )  # fmt: skip
        if data is None:
            raise fail("no plan covers that quarter: import one with `ledgerbot import`")
        content = build(data)
        return bulletin_docx(content) if path.suffix == ".docx" else bulletin_xlsx(content)

    write_output(path, with_session(settings, work), force=force)


@export_app.command("scorecard")
def export_scorecard(
    year: Annotated[int, typer.Option(help="Plan year, e.g. 2023.")],
    through: Annotated[
        str | None, typer.Option(help="Last period counted (default: last one past its deadline).")
    ] = None,
    output: Output = None,
    force: Force = False,
) -> None:
    """The yearly 年考评 scorecard (weights: LEDGERBOT_SCORE_WEIGHTS)."""
    from reports.scorecard import scorecard_xlsx

    _parse(Period, f"{year:04d}-01")  # the year is one a ledger can have
    path = output or Path(f"scorecard-{year}.xlsx")
    check_target(path, force=force)
    settings = load_settings()
    rules, tz, clock = settings.calendar_rules(), settings.tz, now(settings)
    last = _parse(Period, through) if through else reports.last_due_period(year, clock, rules, tz)

    async def work(session: Any) -> bytes:
        data = await reports.year_data(
            session, year=year, through=last, rules=rules, tz=tz, now=clock
        )
        if data is None:
            raise fail(f"nothing to score for {year} through {last.key}")
        return scorecard_xlsx(data, settings.weights(), tz, last.key, clock.astimezone(tz))

    write_output(path, with_session(settings, work), force=force)


@export_app.command("entries")
def export_entries(
    year: Annotated[int, typer.Option(help="Periods of this year.")],
    format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Default: stdout.")] = None,
    force: Force = False,
) -> None:
    """Every progress entry of a year, all versions (is_current marks the one that counts)."""
    from reports.entries import entries_csv, entries_json

    if format not in ("csv", "json"):
        raise fail("--format is csv or json")
    if output is not None:
        check_target(output, force=force)
    settings = load_settings()

    async def work(session: Any) -> str:
        rows = await reports.load_entries(session, plan_id=None, year=year, current_only=False)
        return (entries_csv if format == "csv" else entries_json)(rows, settings.tz)

    text = with_session(settings, work)
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text, force=force)


@app.command("digest")
def digest(
    period: Annotated[str | None, typer.Option(help="YYYY-MM (default: the open period).")] = None,
    chat: Annotated[int | None, typer.Option(help="Send it to this Telegram chat id.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the chart PNG here.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    force: Force = False,
) -> None:
    """Render the weekly digest (text to stdout), write its chart, or send both to a chat."""
    settings = load_settings()
    wanted = _parse(Period, period) if period else None
    if out is not None:
        check_target(out, force=force)
    clock = now(settings)

    async def work(session: Any) -> DigestData:
        return await digest_data(
            session, now=clock, rules=settings.calendar_rules(), tz=settings.tz, period=wanted
        )

    data = with_session(settings, work)
    text = notices.digest(data, lang)
    chart = notices.digest_chart(data, clock.astimezone(settings.tz).date(), lang)
    if out is not None:
        write_output(out, base64.b64decode(chart["photo_b64"]), force=force)
    if chat is not None:
        if settings.telegram_token is None:
            raise fail("LEDGERBOT_TELEGRAM_TOKEN is needed to send")
        asyncio.run(_send(settings.telegram_token.get_secret_value(), settings, chat, text, chart))
        typer.echo(f"sent the digest to {chat}")
    elif out is None:
        typer.echo(re.sub(r"</?b>", "", text["text"]))


async def _send(token: str, settings: Any, chat: int, text: Any, chart: Any) -> None:
    from telegram import Bot

    async with Bot(token, base_url=settings.telegram_base_url) as bot:
        await bot.send_message(chat, text["text"], parse_mode="HTML")
        await bot.send_photo(
            chat, base64.b64decode(chart["photo_b64"]), caption=chart["caption"], parse_mode="HTML"
        )
