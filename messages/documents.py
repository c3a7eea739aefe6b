"""The documents, by one table: kind → loader, writers (one per file type), file name and who
may ask. The CLI (`ledgerbot export …`, `ledgerbot digest`) and the chat (/export, /bulletin,
/digest) both read it, so a document is built the same way wherever it is asked for."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.scoring import Weights
from ledger.timetable import CalendarRules
from messages.digest import chart_title, digest_chart, digest_message
from messages.render import esc
from reports.bulletin import build
from services import quarter_year_data, reports
from services.digest import digest_data
from services.periods import open_period


class Audience(Enum):
    STAFF = "staff"  # bureau staff and admins only
    UNITS = "units"  # staff (everything) and a unit's contact or principal (their units only)


@dataclass(frozen=True)
class Ask:
    """What was asked for. Periods or quarter left empty mean the open ledger's; `unit_ids`
    None means every unit."""

    now: datetime
    rules: CalendarRules
    tz: ZoneInfo
    periods: tuple[Period, ...] = ()
    quarter: Quarter | None = None
    year: int | None = None
    through: Period | None = None
    unit_ids: tuple[int, ...] | None = None
    weights: Weights | None = None
    lang: str = "zh"


@dataclass(frozen=True)
class Loaded:
    """A loaded document: its data and the key naming the file (`2023-05`, `2023Q2`, …)."""

    key: str
    data: Any


@dataclass(frozen=True)
class Document:
    kind: str
    load: Callable[[AsyncSession, Ask], Awaitable[Loaded | None]]  # None: no plan covers it
    writers: Mapping[str, Callable[[Loaded, Ask], bytes | str]]  # by file type, first default
    stem: str
    audience: Audience = Audience.UNITS
    refusal: str = field(default="no plan covers that period: import one with `ledgerbot import`")

    def file_name(self, loaded: Loaded, suffix: str) -> str:
        return f"{self.stem}-{loaded.key}.{suffix}"

    def write(self, loaded: Loaded, ask: Ask, suffix: str | None = None) -> bytes | str:
        return self.writers[suffix or next(iter(self.writers))](loaded, ask)


async def _periods(session: AsyncSession, ask: Ask) -> list[Period]:
    return list(ask.periods) or [await open_period(session, now=ask.now, tz=ask.tz)]


async def _ledger(session: AsyncSession, ask: Ask) -> Loaded | None:
    periods = await _periods(session, ask)
    found = await reports.ledgers(
        session, periods=periods, rules=ask.rules, tz=ask.tz, now=ask.now, unit_ids=ask.unit_ids
    )
    return Loaded(periods[0].key, found) if found else None


async def _bulletin(session: AsyncSession, ask: Ask) -> Loaded | None:
    quarter = ask.quarter or (await open_period(session, now=ask.now, tz=ask.tz)).quarter
    data = await quarter_year_data.quarter_data(
        session, quarter=quarter, rules=ask.rules, tz=ask.tz, now=ask.now
    )
    return None if data is None else Loaded(quarter.key, build(data, ask.unit_ids))


def scored_through(ask: Ask) -> Period:
    """The last period a scorecard counts: as asked, else the newest past its deadline."""
    assert ask.year is not None
    return ask.through or quarter_year_data.last_due_period(ask.year, ask.now, ask.rules, ask.tz)


async def _scorecard(session: AsyncSession, ask: Ask) -> Loaded | None:
    assert ask.year is not None
    data = await quarter_year_data.year_data(
        session, year=ask.year, through=scored_through(ask), rules=ask.rules, tz=ask.tz, now=ask.now
    )
    return None if data is None else Loaded(str(ask.year), data)


# The writers (openpyxl, python-docx) are imported when a document is written, not when the
# bot starts: an idle bot never loads them.


def _write_ledger(loaded: Loaded, ask: Ask) -> bytes:
    from reports.ledger_xlsx import ledger_workbook

    return ledger_workbook(loaded.data, ask.tz, ask.now)


def _write_bulletin_docx(loaded: Loaded, _ask: Ask) -> bytes:
    from reports.bulletin_docx import bulletin_docx

    return bulletin_docx(loaded.data)


def _write_bulletin_xlsx(loaded: Loaded, _ask: Ask) -> bytes:
    from reports.bulletin_xlsx import bulletin_xlsx

    return bulletin_xlsx(loaded.data)


def _write_entries(suffix: str) -> Callable[[Loaded, Ask], str | bytes]:
    def write(loaded: Loaded, ask: Ask) -> str | bytes:
        from reports.entries import entries_csv, entries_json

        return (entries_csv if suffix == "csv" else entries_json)(loaded.data, ask.tz)

    return write


def _write_scorecard(loaded: Loaded, ask: Ask) -> bytes:
    from reports.scorecard import scorecard_xlsx

    assert ask.weights is not None
    made_at = ask.now.astimezone(ask.tz)
    return scorecard_xlsx(loaded.data, ask.weights, ask.tz, scored_through(ask).key, made_at)


async def _entries(session: AsyncSession, ask: Ask) -> Loaded | None:
    assert ask.year is not None
    rows = await reports.load_entries(session, plan_id=None, year=ask.year, current_only=False)
    return Loaded(str(ask.year), rows)


async def _digest(session: AsyncSession, ask: Ask) -> Loaded | None:
    wanted = ask.periods[0] if ask.periods else None
    data = await digest_data(session, now=ask.now, rules=ask.rules, tz=ask.tz, period=wanted)
    return Loaded(data.status.period.key, data)


def digest_caption(loaded: Loaded, ask: Ask) -> str:
    """The digest chart's caption (HTML), as groups get it."""
    return esc(chart_title(loaded.data, ask.now.astimezone(ask.tz).date(), ask.lang))


def _digest_png(loaded: Loaded, ask: Ask) -> bytes:
    chart = digest_chart(loaded.data, ask.now.astimezone(ask.tz).date(), ask.lang)
    return base64.b64decode(chart["photo_b64"])


DOCUMENTS: dict[str, Document] = {
    document.kind: document
    for document in (
        Document(
            "ledger",
            _ledger,
            {"xlsx": _write_ledger},
            stem="ledger",
        ),
        Document(
            "bulletin",
            _bulletin,
            {"docx": _write_bulletin_docx, "xlsx": _write_bulletin_xlsx},
            stem="bulletin",
            refusal="no plan covers that quarter: import one with `ledgerbot import`",
        ),
        Document(
            "scorecard",
            _scorecard,
            {"xlsx": _write_scorecard},
            stem="scorecard",
            audience=Audience.STAFF,
            refusal="nothing to score for that year",
        ),
        Document(
            "entries",
            _entries,
            {"csv": _write_entries("csv"), "json": _write_entries("json")},
            stem="entries",
            audience=Audience.STAFF,
        ),
        Document(
            "digest",
            _digest,
            {
                "html": lambda loaded, ask: str(digest_message(loaded.data, ask.lang)["text"]),
                "png": _digest_png,
            },
            stem="digest",
            audience=Audience.STAFF,
        ),
    )
}
