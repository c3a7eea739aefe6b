"""`ledgerbot export …` and `ledgerbot digest`: the documents of messages.documents, for
terminals (a shell on the server is staff: every unit, every document)."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.periods import Period, Quarter, ledger_period, ledger_quarter
from ledgerbot.cli_base import app, fail, load_settings, now, with_session
from ledgerbot.cli_output import check_target, write_output
from messages.documents import DOCUMENTS, Ask, Loaded, digest_caption, scored_through

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


def _ask(settings: Any, **asked: Any) -> Ask:
    return Ask(now(settings), settings.calendar_rules(), settings.tz, weights=settings.weights(),
               **asked)  # fmt: skip


def _load(settings: Any, kind: str, ask: Ask, refusal: str | None = None) -> Loaded:
    document = DOCUMENTS[kind]

    async def work(session: Any) -> Loaded:
        loaded = await document.load(session, ask)
        if loaded is None:
            raise fail(refusal or document.refusal)
        return loaded

    return with_session(settings, work)


def _export(
    kind: str, ask: Ask, output: Path | None, force: bool, suffix: str | None = None, **why: Any
) -> None:
    """Load, write and save one document; the file name from the table unless given. A given
    target is checked before anything is built (see ledgerbot.cli_output)."""
    if output is not None:
        check_target(output, force=force)
    settings = load_settings()
    document = DOCUMENTS[kind]
    loaded = _load(settings, kind, ask, **why)
    suffix = suffix or (output.suffix.lstrip(".") if output else next(iter(document.writers)))
    path = output or Path(document.file_name(loaded, suffix))
    write_output(path, document.write(loaded, ask, suffix), force=force)


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
    if not period and year is None:
        raise fail("give --period YYYY-MM (repeatable) or --year YYYY")
    periods = [_parse(Period, p) for p in period or []]
    periods += (
        [_parse(Period, f"{year:04d}-{m:02d}") for m in range(1, 13)] if year is not None else []
    )
    _export("ledger", _ask(load_settings(), periods=tuple(periods)), output, force, "xlsx")


@export_app.command("bulletin")
def export_bulletin(
    quarter: Annotated[str, typer.Option(help="YYYYQn, e.g. 2023Q2.")],
    output: Output = None,
    force: Force = False,
) -> None:
    """The quarterly 季通报; .docx or .xlsx by the output's extension (default: .docx)."""
    q: Quarter = _parse(Quarter, quarter)
    if output is not None and output.suffix not in (".docx", ".xlsx"):
        raise fail("the bulletin is written as .docx or .xlsx")
    _export("bulletin", _ask(load_settings(), quarter=q), output, force)


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
    _parse(Period, f"{year:04d}-01")  # the year is one a ledger can have
    settings = load_settings()
    ask = _ask(settings, year=year, through=_parse(Period, through) if through else None)
    last = scored_through(ask)
    _export("scorecard", ask, output, force, "xlsx",
            refusal=f"nothing to score for {year} through {last.key}")  # fmt: skip


@export_app.command("entries")
def export_entries(
    year: Annotated[int, typer.Option(help="Periods of this year.")],
    format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Default: stdout.")] = None,
    force: Force = False,
) -> None:
    """Every progress entry of a year, all versions (is_current marks the one that counts)."""
    if format not in ("csv", "json"):
        raise fail("--format is csv or json")
    _parse(Period, f"{year:04d}-01")
    if output is not None:
        _export("entries", _ask(load_settings(), year=year), output, force, format)
        return
    settings = load_settings()
    ask = _ask(settings, year=year)
    sys.stdout.write(str(DOCUMENTS["entries"].write(_load(settings, "entries", ask), ask, format)))


@app.command("digest")
def digest(
    period: Annotated[str | None, typer.Option(help="YYYY-MM (default: the open period).")] = None,
    chat: Annotated[int | None, typer.Option(help="Send it to this Telegram chat id.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the chart PNG here.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    force: Force = False,
) -> None:
    """Render the weekly digest (text to stdout), write its chart, or send both to a chat."""
    if out is not None:
        check_target(out, force=force)
    settings = load_settings()
    wanted = (_parse(Period, period),) if period else ()
    ask = _ask(settings, periods=wanted, lang=lang)
    document = DOCUMENTS["digest"]
    loaded = _load(settings, "digest", ask)
    text, chart = str(document.write(loaded, ask, "html")), document.write(loaded, ask, "png")
    assert isinstance(chart, bytes)
    if out is not None:
        write_output(out, chart, force=force)
    if chat is not None:
        if settings.telegram_token is None:
            raise fail("LEDGERBOT_TELEGRAM_TOKEN is needed to send")
        caption = digest_caption(loaded, ask)
        token = settings.telegram_token.get_secret_value()
        asyncio.run(_send(token, settings, chat, text, chart, caption))
        typer.echo(f"sent the digest to {chat}")
    elif out is None:
        typer.echo(re.sub(r"</?b>", "", text))


async def _send(
    token: str, settings: Any, chat: int, text: str, chart: bytes, caption: str
) -> None:
    from telegram import Bot

    async with Bot(token, base_url=settings.telegram_base_url) as bot:
        await bot.send_message(chat, text, parse_mode="HTML")
        await bot.send_photo(chat, chart, caption=caption, parse_mode="HTML")
