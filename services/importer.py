"""Write a parsed plan into the registry in one transaction and report what changed.

Keys: Plan (year, title), Section (plan, number), Task (plan, number), Milestone (task,
quarter), TaskUnit (task, unit, role) with `position` = order within the role's list. Tasks
missing from a new version become inactive, never deleted, so their entries stay. A milestone's
due date is its quarter's last day: the quarterly check runs at quarter end, and any deadline
in the text ("6月底前…") stays readable in the target. Writes are set-based (bulk INSERT …
RETURNING, bulk UPDATE by primary key, DELETE … IN) so a 10,000-task table imports in seconds.

A plan owes ledgers for the periods of its window (`--from`/`--until`, else from the month of
the document's own date within its year, until December) and has a short code. After the
write, every open period's obligations are brought in step with the new plan (closed periods
keep theirs); a closed plan refuses re-import.

`ImportReport.to_json_dict()` (what `ledgerbot import --json` prints):
  plan:          {id, year, title, code, window: {from, until}, source, created, tasks,
                  sections, changed_sections}
  added_tasks:   [{number, text, deadline, lead_units, support_units, data_units}]
  changed_tasks: [{number, fields}]  fields ⊆ text, section, deadline, milestones, unit_order,
                                     active
  removed_tasks: [{number, text}]    (now inactive)
  added_links / removed_links: [{task, unit, role}]  (for tasks that existed before)
  new_units:     [{name, kind}]
  short_names:   [{name, unit}]      (short forms filed under a unit: 发改委 → 市发展改革委)
  warnings:      [str]               (the parser's, then the importer's)
Re-importing the same document changes nothing and records no audit row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.importing import ParsedPlan, ParsedSection, ParsedTask
from ledger.plans import PlanRuleError, Window, check_code, default_code, plan_window
from ledger.timetable import BUREAU_TZ, DEFAULT_RULES, CalendarRules
from models import Plan, Section
from models.base import utcnow
from services.audit import Actor, record
from services.import_checks import unit_warnings
from services.import_sync import Sync
from services.obligations import refresh
from services.short_names import short_unit_names
from services.unit_admin import resolve_units

INT_MAX = 2**31 - 1


class ImportRefused(ValueError):
    """The parsed plan cannot be filed (no year, impossible numbers); nothing was written."""


@dataclass
class ImportReport:
    plan: dict[str, Any]
    added_tasks: list[dict[str, Any]] = field(default_factory=list)
    changed_tasks: list[dict[str, Any]] = field(default_factory=list)
    removed_tasks: list[dict[str, Any]] = field(default_factory=list)
    added_links: list[dict[str, Any]] = field(default_factory=list)
    removed_links: list[dict[str, Any]] = field(default_factory=list)
    new_units: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    short_names: list[dict[str, str]] = field(default_factory=list)

    obligations: dict[str, dict[str, int]] = field(default_factory=dict)  # period → added/removed

    @property
    def changed(self) -> bool:
        lists = (self.added_tasks, self.changed_tasks, self.removed_tasks, self.new_units)
        links = (self.added_links, self.removed_links, self.plan["changed_sections"])
        meta = self.plan.get("changed_meta")
        return bool(self.plan["created"] or any(lists) or any(links) or meta)

    def to_json_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in dataclasses.fields(self)[1:-1]}


def plan_identity(parsed: ParsedPlan, *, year: int | None, stem: str) -> tuple[int, str]:
    """(year, title): --year beats the parsed year; the file stem stands in for a title."""
    chosen = year if year is not None else parsed.year
    if chosen is None:
        raise ImportRefused("cannot tell the plan's year: pass --year YYYY")
    return chosen, (parsed.title or stem)[:200]


def numbered(parsed: ParsedPlan) -> tuple[list[ParsedTask], list[str]]:
    """Tasks with unique numbers: repeated numbering (per section) becomes 1..N in order."""
    numbers = [t.number for t in parsed.tasks]
    if any(n > INT_MAX for n in numbers):
        raise ImportRefused(f"task number {max(numbers)} is too large: expected 序号 below 2^31")
    if len(set(numbers)) == len(numbers):
        return list(parsed.tasks), []
    note = f"task numbers repeat; tasks renumbered 1–{len(numbers)} in document order"
    return [dataclasses.replace(t, number=i) for i, t in enumerate(parsed.tasks, 1)], [note]


def window_for(
    parsed: ParsedPlan, year: int, first: str | None = None, last: str | None = None
) -> Window:
    """The plan's window: the flags, else the document's own date, else the whole year."""
    try:
        return plan_window(year, issued_on=parsed.issued_on, first=first, last=last)
    except PlanRuleError as bad:
        raise ImportRefused(str(bad)) from bad


async def _plan_row(
    session: AsyncSession, parsed: ParsedPlan, year: int, title: str, source: str,
    first: str | None, last: str | None, code: str | None,
) -> tuple[Plan, bool, list[str]]:  # fmt: skip
    """The stored plan (created with its window and code), and which of those changed."""
    try:
        code = check_code(code) if code is not None else None
    except PlanRuleError as bad:
        raise ImportRefused(str(bad)) from bad
    plan = await session.scalar(select(Plan).where(Plan.year == year, Plan.title == title))
    if plan is not None and plan.closed_at is not None:
        raise ImportRefused(
            f"plan {plan.code} ({year}) is closed: `ledgerbot plan reopen {year} --code "
            f"{plan.code}` first"
        )
    if code is not None:
        other = await session.scalar(select(Plan.id).where(Plan.code == code))
        if other is not None and (plan is None or other != plan.id):
            raise ImportRefused(f"plan code {code} is taken by another plan: choose another")
    changed: list[str] = []
    if plan is None:
        window = window_for(parsed, year, first, last)
        taken = set((await session.scalars(select(Plan.code))).all())
        plan = Plan(year=year, title=title, source=source[:500], code=code or default_code(
            title, taken), first_period=window.first.key, last_period=window.last.key)  # fmt: skip
        session.add(plan)
        await session.flush()
        return plan, True, changed
    if first is not None or last is not None:
        window = window_for(parsed, year, first or plan.first_period, last or plan.last_period)
        if (plan.first_period, plan.last_period) != (window.first.key, window.last.key):
            plan.first_period, plan.last_period = window.first.key, window.last.key
            changed.append("window")
    if code is not None and code != plan.code:
        plan.code = code
        changed.append("code")
    return plan, False, changed


async def import_plan(
    parsed: ParsedPlan,
    *,
    session: AsyncSession,
    source: str,
    year: int | None = None,
    actor: Actor,
    first: str | None = None,
    last: str | None = None,
    code: str | None = None,
    now: datetime | None = None,
    rules: CalendarRules = DEFAULT_RULES,
    tz: ZoneInfo = BUREAU_TZ,
    support_reports: bool | None = None,
    new_plan_support: bool = False,
) -> ImportReport:
    """Upsert `parsed` (from file `source`) in the caller's transaction; see the module doc.
    `support_reports` turns supporting units' input on or off (None: a stored plan keeps its
    setting, a new one gets `new_plan_support`)."""
    plan_year, title = plan_identity(parsed, year=year, stem=PurePath(source).stem)
    parsed, short_names, suggestions = await short_unit_names(session, parsed)
    checks = await unit_warnings(session, parsed)  # before the write creates the new units
    tasks, notes = numbered(parsed)
    plan, created, changed_meta = await _plan_row(
        session, parsed, plan_year, title, source, first, last, code
    )
    wanted = support_reports if support_reports is not None or not created else new_plan_support
    if wanted is not None and plan.support_reports != wanted:
        plan.support_reports = wanted
        changed_meta += [] if created else ["support_reports"]
    sections, changed_sections = await _sections(session, plan.id, parsed.sections)
    names = [n for t in tasks for n in (*t.lead_units, *t.support_units, *t.data_units)]
    units = await resolve_units(session, names)
    info = {"id": plan.id, "year": plan_year, "title": title, "code": plan.code,
            "window": {"from": plan.first_period, "until": plan.last_period},
            "source": plan.source, "support_reports": plan.support_reports}  # fmt: skip
    info |= {"created": created, "tasks": len(tasks), "sections": len(parsed.sections)}
    report = ImportReport(plan=info | {"changed_sections": changed_sections})
    report.plan["changed_meta"] = changed_meta
    report.new_units = [{"name": n, "kind": k} for n, k in units.created]
    report.warnings = [*parsed.warnings, *notes, *suggestions, *checks]
    report.short_names = short_names
    await Sync(session, plan, sections, units, report).run(tasks)
    if report.changed:
        plan.updated_at = utcnow()
        record(session, actor, "plan.import", f"plan:{plan.id}", source=source, **report.counts())
        report.obligations = await refresh(
            session, reason=f"import of plan {plan.code}", actor=actor, now=now or utcnow(),
            rules=rules, tz=tz,
        )  # fmt: skip
    return report


async def _sections(
    session: AsyncSession, plan_id: int, parsed: list[ParsedSection]
) -> tuple[dict[str, int], list[str]]:
    """Upsert sections by number; returns number → id and the numbers added or retitled."""
    rows = (await session.scalars(select(Section).where(Section.plan_id == plan_id))).all()
    existing = {s.number: s for s in rows}
    changed = []
    for position, item in enumerate(parsed):
        section = existing.get(item.number)
        if section is None:
            section = existing[item.number] = Section(plan_id=plan_id, number=item.number)
            session.add(section)
        if (section.title, section.position) != (item.title, position):
            section.title, section.position = item.title, position
            changed.append(item.number)
    await session.flush()
    return {n: s.id for n, s in existing.items()}, changed
