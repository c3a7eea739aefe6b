"""Plan import commands: `import`, `template`, and the unit tools `units alias` / `units group`."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.duban_assign import assignment_payload
from ledger.importing import ImportFormatError, ParsedPlan, parse_file, write_template
from ledger.importing.table import Progress
from ledger.plans import Window
from ledger.timetable import AsOf
from ledgerbot.cli_base import (
    JsonFlag,
    app,
    as_of,
    fail,
    load_settings,
    now,
    print_json,
    units_app,
    with_session,
)
from ledgerbot.progress import progress_lines
from services.assignments import assign
from services.audit import Actor
from services.importer import (
    ImportRefused,
    ImportReport,
    import_plan,
    numbered,
    plan_identity,
    window_for,
)
from services.plan_upload import import_limits
from services.unit_admin import UnitAdminError, add_alias, set_group

_R = TypeVar("_R")

IMPORT_HELP = (
    "Import a plan document (.txt .md .docx .xlsx .csv) into the registry.\n\n"
    "--dry-run only parses (the database is not touched); with --json it prints the parser's "
    "JSON object: title, year, sections, tasks (each with deadline and deadline_text), "
    "warnings, and unread (line ranges the parser could not place).\n\n"
    "Otherwise the plan is upserted in one transaction, keyed by (year, title): tasks by number, "
    "quarter targets due on the quarter's last day, unit names resolved through aliases (missing "
    "units are created with a guessed kind). Tasks dropped from the document become inactive; "
    'their entries stay. Re-importing the same document prints "no changes".\n\n'
    "A plan owes ledgers for the periods of its window: --from/--until, else from the month "
    "of the document's own date (发布时间, or the date under the signature) within the plan's "
    "year, until December. --code sets its short name (shown in prompts; `/report CODE/5` "
    "names task 5 of that plan). The dry-run JSON adds window: {from, until}.\n\n"
    "The --json report object (warnings also go to stderr):\n"
    "  plan: {id, year, title, code, window, source, created, tasks, sections, "
    "changed_sections}\n"
    "  added_tasks: [{number, text, deadline, lead_units, support_units, data_units}]\n"
    "  changed_tasks: [{number, fields}]\n"
    "    fields ⊆ text, section, milestones, unit_order, active\n"
    "  removed_tasks: [{number, text}]  (now inactive)\n"
    "  added_links, removed_links: [{task, unit, role}]  (on existing tasks)\n"
    "  new_units: [{name, kind}]\n"
    "  short_names: [{name, unit}]  (short forms filed under a unit: 市发改委 → 市发展改革委)\n"
    "  warnings: list of strings\n\n"
    "Bad input ends with a one-line error and exit code 2; nothing is written."
)
SHOWN = 100  # report lines per kind in the human output; --json has them all


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """Progress lines on stderr once a step has taken more than a second (terminal or not)."""
    with progress_lines(label) as progress:
        yield progress


@contextmanager
def busy(message: str) -> Iterator[None]:
    """A line a second on stderr while the database work runs, after the first second."""
    with progress_lines(message):
        yield


def parse(path: Path, year: int | None) -> ParsedPlan:
    """Parse within the import limits or end with exit 2 and a one-line reason."""
    limits = import_limits(load_settings())
    try:
        with progress_bar(f"reading {path.name}") as progress:
            return parse_file(path, year=year, progress=progress, limits=limits)
    except ImportFormatError as exc:
        hint = "; `ledgerbot template FILE.xlsx` writes them" if "columns" in str(exc) else ""
        raise fail(f"{exc}{hint}") from exc
    except OSError as exc:
        raise fail(f"{path.name}: cannot read ({exc.strerror}); expected a plan document") from exc


@app.command("import", help=IMPORT_HELP)
def import_command(
    path: Annotated[Path, typer.Argument(help="The plan document.", show_default=False)],
    year: Annotated[
        int | None, typer.Option(min=1900, max=2100, help="The plan's year (beats the text).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse only; write nothing.")] = False,
    title: Annotated[
        str | None, typer.Option(help="The plan's title, for documents that have no title line.")
    ] = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--from", help="First period owed, YYYY-MM (default: the document's own date)."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last period owed, YYYY-MM (default: December).")
    ] = None,
    code: Annotated[
        str | None, typer.Option(help="The plan's short name (default: from its title).")
    ] = None,
    support: Annotated[
        bool | None,
        typer.Option(
            "--support-reports/--no-support-reports",
            help="Supporting units owe an input each period (default: on for a new plan; a "
            "re-import keeps the plan's setting).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    parsed = parse(path, year)
    if title:
        parsed = dataclasses.replace(parsed, title=title.strip())
    try:  # refuse before the database is even opened
        window = (
            window_for(parsed, year or parsed.year or 0, first, until)
            if (year or parsed.year)
            else None
        )
        if not dry_run:
            plan_identity(parsed, year=year, stem=path.stem)
            numbered(parsed)
    except ImportRefused as exc:
        raise fail(str(exc)) from exc
    if dry_run:
        warn(parsed.warnings, as_json)
        found = parsed.to_json_dict() | {"window": window.to_json_dict() if window else None}
        print_json(found) if as_json else show_parsed(parsed, window)
        return
    settings = load_settings()

    async def work(session: Any) -> ImportReport:
        report = await import_plan(
            parsed, session=session, source=path.name, year=year, actor=Actor.cli(),
            first=first, last=until, code=code, now=now(settings),
            rules=settings.calendar_rules(), tz=settings.tz, support_reports=support,
            new_plan_support=True,
        )  # fmt: skip
        report.plan["assigned"] = await assign(  # 交办: each bound unit's contacts, once
            session, plan_id=report.plan["id"], now=now(settings), actor=Actor.cli(),
            render=lambda r, a: assignment_payload(r, a, settings.locale),
        )  # fmt: skip
        return report

    with busy(f"importing {len(parsed.tasks)} tasks"):
        report = with_session(settings, work)
    warn(report.warnings, as_json)
    print_json(report.to_json_dict()) if as_json else show_report(report)


def warn(warnings: list[str], as_json: bool) -> None:
    """In JSON mode warnings go to stderr, keeping stdout one JSON object."""
    if as_json:
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)


def _units(task: Any) -> str:
    lead, support = "、".join(task.lead_units) or "—", "、".join(task.support_units) or "—"
    return f"牵头: {lead}  配合: {support}"


def show_parsed(parsed: ParsedPlan, window: Window | None = None) -> None:
    typer.echo(f"{parsed.title or '(no title)'} — {parsed.year or '(no year)'}")
    if window is not None:
        typer.echo(f"owed from {window.first} until {window.last}")
    titles = {s.number: s.title for s in parsed.sections}
    section: str | None = None
    for task in parsed.tasks:
        if task.section != section and task.section is not None:
            typer.echo(f"{task.section}、{titles.get(task.section, '')}")
        section = task.section
        due = f"  完成时限: {task.deadline or task.deadline_text}" if task.deadline_text else ""
        typer.echo(f"  {task.number}. {task.text[:40]}  {_units(task)}{due}")
    typer.echo(f"{len(parsed.tasks)} tasks in {len(parsed.sections)} sections")
    for gap in parsed.unread:
        where = f"line {gap.first}" if gap.first == gap.last else f"lines {gap.first}–{gap.last}"
        typer.echo(f"not read: {where} ({gap.text})")
    for warning in parsed.warnings:
        typer.echo(f"warning: {warning}")


def _lines(items: list[Any], render: Any) -> list[str]:
    more = [f"  … and {len(items) - SHOWN} more (see --json)"] if len(items) > SHOWN else []
    return [render(item) for item in items[:SHOWN]] + more


def show_report(report: ImportReport) -> None:
    plan = report.plan
    state = "new plan" if plan["created"] else "plan"
    typer.echo(
        f"{state} {plan['year']} {plan['title']} [{plan['code']}]: {plan['tasks']} tasks in "
        f"{plan['sections']} sections, owed {plan['window']['from']}…{plan['window']['until']}"
        f", support reports {'on' if plan['support_reports'] else 'off'}"
    )
    if not report.changed:
        typer.echo("no changes")
    if plan.get("assigned"):
        typer.echo(f"交办 sent to {plan['assigned']} unit(s) with bound contacts")
    lines = [
        *_lines(report.added_tasks, lambda t: f"+ task {t['number']}: {t['text'][:40]}"),
        *_lines(report.changed_tasks, lambda t: f"~ task {t['number']}: {', '.join(t['fields'])}"),
        *_lines(
            report.removed_tasks,
            lambda t: f"- task {t['number']}: {t['text'][:40]} (inactive; entries kept)",
        ),
        *_lines(report.added_links, lambda k: f"+ task {k['task']}: {k['unit']} ({k['role']})"),
        *_lines(report.removed_links, lambda k: f"- task {k['task']}: {k['unit']} ({k['role']})"),
        *_lines(report.new_units, lambda u: f"+ unit {u['name']} ({u['kind']})"),
        *_lines(report.short_names, lambda u: f"= unit {u['name']} filed as {u['unit']}"),
        *(f"warning: {w}" for w in report.warnings),
    ]
    for line in lines:
        typer.echo(line)


@app.command("template")
def template_command(
    path: Annotated[Path, typer.Argument(help="Where to write: NAME.xlsx or NAME.csv.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the blank import template (.xlsx or .csv) with one example row."""
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise fail(f"{path.name}: expected a .xlsx or .csv file name")
    if path.exists() and not force:
        raise fail(f"{path} exists: choose another name or pass --force")
    try:
        write_template(path)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror}") from exc
    typer.echo(f"template written to {path}")


def _unit_change(change: Callable[[AsyncSession, AsOf], Awaitable[_R]]) -> _R:
    """One audited registry change in a transaction; the service's refusal is one line, exit 2."""
    settings = load_settings()
    try:
        return with_session(settings, lambda session: change(session, as_of(settings)))
    except UnitAdminError as exc:
        raise fail(str(exc)) from exc


@units_app.command("alias")
def units_alias(
    name: Annotated[str, typer.Argument(help="The unit's name, e.g. 市发展改革委.")],
    alias: Annotated[str, typer.Argument(help="Another spelling, e.g. 市发改委.")],
) -> None:
    """Make ALIAS another spelling of NAME; later imports file ALIAS under NAME.

    NAME is created if missing. A unit already called ALIAS is merged into
    NAME when only task links and groups point at it (they move to NAME); a
    unit with contacts, invites, entries or results is refused.
    """
    result = _unit_change(
        lambda s, when: add_alias(s, name=name, alias=alias, actor=Actor.cli(), as_of=when)
    )
    notes = ["unit created"] if result.created_unit else []
    if result.merged_links is not None:
        notes.append(f"unit {result.alias} merged in, {result.merged_links} task link(s) moved")
    typer.echo(f"{result.alias} → {result.unit}" + (f" ({'; '.join(notes)})" if notes else ""))


@units_app.command("group")
def units_group(
    collective: Annotated[str, typer.Argument(help="The collective, e.g. 各县(区).")],
    members: Annotated[list[str], typer.Argument(help="Its member units.")],
) -> None:
    """Set the members of a collective (replacing any earlier list); creates missing units."""
    result = _unit_change(
        lambda s, when: set_group(
            s, collective=collective, members=members, actor=Actor.cli(), as_of=when
        )
    )
    typer.echo(f"{result.collective} (collective): {'、'.join(result.members)}")
    if result.created:
        typer.echo(f"created: {'、'.join(result.created)}")
