"""A plan document sent to the bot: the dry run an admin confirms, then the CLI's own import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from ledger.importing import ParsedPlan, parse_file
from ledger.importing.limits import MB, Limits
from ledger.plans import Window
from services.import_checks import unit_warnings
from services.importer import numbered, plan_identity, window_for
from services.short_names import short_unit_names

SUFFIXES = (".docx", ".xlsx", ".csv", ".txt")


def import_limits(settings: Settings) -> Limits:
    """The LEDGERBOT_IMPORT_… settings as the importer's limits (CLI and chat alike)."""
    return Limits(
        max_file_bytes=int(settings.import_max_file_mb * MB),
        max_unpacked_bytes=int(settings.import_max_unpacked_mb * MB),
        max_ratio=settings.import_max_ratio,
        max_cells=settings.import_max_cells,
        time_budget_s=settings.import_time_budget_s,
    )


def read_plan(path: Path, limits: Limits, year: int | None = None) -> ParsedPlan:
    """Parse within the limits (ImportFormatError names what is wrong); blocking: run it in a
    worker thread."""
    return parse_file(path, year=year, limits=limits)


@dataclass(frozen=True)
class DryRun:
    title: str
    year: int
    window: Window
    sections: int
    tasks: int
    units: list[str]
    warnings: list[str]


async def dry_run(
    session: AsyncSession, parsed: ParsedPlan, *, source: str, year: int | None = None
) -> DryRun:
    """What importing `parsed` would file, read-only; ImportRefused when it cannot be filed."""
    plan_year, title = plan_identity(parsed, year=year, stem=PurePath(source).stem)
    window = window_for(parsed, plan_year)
    _, notes = numbered(parsed)
    parsed, _, suggestions = await short_unit_names(session, parsed)
    checks = await unit_warnings(session, parsed)
    listed = (n for t in parsed.tasks for n in (*t.lead_units, *t.support_units, *t.data_units))
    return DryRun(
        title=title,
        year=plan_year,
        window=window,
        sections=len(parsed.sections),
        tasks=len(parsed.tasks),
        units=list(dict.fromkeys(listed)),
        warnings=[*parsed.warnings, *notes, *suggestions, *checks],
    )
