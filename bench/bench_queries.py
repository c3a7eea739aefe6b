"""Query benchmark: /status, one unit, one task, the digest and the ledger export over a
registry of 2,000 units and 10,000 tasks a year with up to 5 years of monthly entries
(≈1M progress entries), on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_queries.py [--databases sqlite,postgresql]
     [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres] [--repeat 5] [--xlsx]
     [--keep] [--kept URL ...]

``--kept URL`` times the queries again on a database an earlier ``--keep`` run loaded (the
code before and after a change, back to back on the same rows; run ``ledgerbot db upgrade``
or the newer code first if it adds a migration).

Generator: a freshly migrated database per dialect (PostgreSQL: a throw-away database created
and dropped by this script) gets 2,000 units, five plans (2019–2023) of 10,000 tasks each,
every task with one or two lead units (5/3 on average) and one supporting unit, and progress
entries for every (task, lead unit, month) — 16,667 a month, 1,000,000 over 60 months —
written with multi-row Core INSERTs (no ORM objects). The registry is full size from the
start; the entries grow from 10k to 100k to 1M, newest months first, so the queried ledger
(2023-12) holds 10,000 entries at the first step and all 16,667 afterwards. SQLite gets no
ANALYZE (as in production); PostgreSQL is ANALYZEd after each load, as autovacuum would.

Timed at each step (best and median of ``--repeat`` runs after one warm-up, each in a fresh
session, as a handler does): ``services.status.period_status`` for all units (staff
``/status``) and for one unit (a contact's ``/status``), ``task_status`` (``/status N``),
``services.digest.digest_data`` (the Monday digest; the summary and the digest also "counted",
with the per-process summary cache emptied before each call, and "after a report": one entry
changed and committed before each call, outside the timing) and the
ledger export for one month
(the query part, ``services.reports.ledgers``; with ``--xlsx`` also
``reports.ledger_xlsx.ledger_workbook`` once at 1M — it takes minutes, see bench/README.md). The
number of SQL statements per call shows there is no N+1. The growth exponent k in
t ∝ entries^k between 10k and 1M is printed (k < 1: sublinear). At the end, every distinct
statement run by these calls is EXPLAINed (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
PostgreSQL). The peak RSS of this process while querying (VmHWM, reset after loading) is
printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine, peak_rss_mb, reset_peak_rss
from config import Settings
from ledger.periods import Period
from ledger.timetable import AsOf
from ledger.vocab import EntryState, EntryStatus, UnitKind, UnitRole
from models import Plan, ProgressEntry, Task, TaskUnit, Unit, schema
from models.db import make_engine, make_session_factory
from reports.ledger_xlsx import ledger_workbook
from services.digest import digest_data
from services.obligations import open_ledger
from services.reports import ledgers
from services.status import period_status, task_status
from services.status_revision import forget
from services.status_summary import period_summary

UNITS, TASKS, YEARS = 2_000, 10_000, (2019, 2020, 2021, 2022, 2023)
STEPS = (10_000, 100_000, 1_000_000)
PERIOD = Period.parse("2023-12")
NOW = datetime(2024, 1, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, while 2023-12 is collected
CHUNK = 5_000
STATUSES = list(EntryStatus)


def leads_of(number: int) -> list[int]:
    """Unit indexes leading task ``number``: one, and a second one for 2 tasks in 3."""
    first = (number * 7) % UNITS
    return [first] if number % 3 == 0 else [first, (first + 997) % UNITS]


def support_of(number: int) -> int:
    return (number * 13 + 5) % UNITS


@dataclass
class Registry:
    unit_ids: list[int]
    task_ids: dict[tuple[int, int], int]  # (year, number) → id


async def insert_chunks(engine: AsyncEngine, table: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Multi-row INSERTs of CHUNK rows, one transaction per 50 chunks."""
    done, batch = 0, []
    async with engine.begin() as conn:
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                await conn.execute(insert(table), batch)
                done, batch = done + len(batch), []
        if batch:
            await conn.execute(insert(table), batch)
            done += len(batch)
    return done


async def build_registry(engine: AsyncEngine) -> Registry:
    created = datetime(2019, 1, 1, tzinfo=UTC)
    await insert_chunks(
        engine,
        Unit.__table__,
        (
            {"name": f"测试单位{n:04d}", "kind": UnitKind.DEPARTMENT, "created_at": created}
            for n in range(UNITS)
        ),
    )
    await insert_chunks(
        engine,
        Plan.__table__,
        (
            {
                "year": y,
                "title": f"{y}年工作要点",
                "code": f"要点{y}",
                "first_period": f"{y}-01",
                "last_period": f"{y}-12",
                "source": "bench",
                "created_at": created,
                "updated_at": created,
            }
            for y in YEARS
        ),
    )
    async with engine.connect() as conn:
        unit_ids = [r[0] for r in await conn.execute(text("SELECT id FROM units ORDER BY name"))]
        plans = dict((await conn.execute(text("SELECT year, id FROM plans"))).all())
    await insert_chunks(
        engine,
        Task.__table__,
        (
            {
                "plan_id": plans[y],
                "number": n,
                "text": f"推进第{n}项重点任务，完成年度建设目标。",
                "active": True,
                "updated_at": created,
            }
            for y in YEARS
            for n in range(1, TASKS + 1)
        ),
    )
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT p.year, t.number, t.id FROM tasks t JOIN plans p ON p.id = t.plan_id")
        )
        task_ids = {(y, n): i for y, n, i in rows}

    def links() -> Iterator[dict[str, Any]]:
        for (_, number), task_id in task_ids.items():
            for position, unit in enumerate(leads_of(number)):
                yield {
                    "task_id": task_id,
                    "unit_id": unit_ids[unit],
                    "role": UnitRole.LEAD,
                    "position": position,
                }
            yield {
                "task_id": task_id,
                "unit_id": unit_ids[support_of(number)],
                "role": UnitRole.SUPPORT,
                "position": 0,
            }

    await insert_chunks(engine, TaskUnit.__table__, links())
    return Registry(unit_ids, task_ids)


def entry_rows(registry: Registry) -> Iterator[dict[str, Any]]:
    """Every (task, lead, month) entry, newest month first."""
    message = 0
    for year in reversed(YEARS):
        for month in range(12, 0, -1):
            key = f"{year:04d}-{month:02d}"
            at = datetime(year, month, 28, 1, 0, tzinfo=UTC) + timedelta(days=5)
            for number in range(1, TASKS + 1):
                for unit in leads_of(number):
                    message += 1
                    user = 500_000_000 + unit
                    yield {
                        "task_id": registry.task_ids[(year, number)],
                        "unit_id": registry.unit_ids[unit],
                        "period": key,
                        "version": 1,
                        "is_current": True,
                        "state": EntryState.APPROVED,
                        "status": STATUSES[(number + month) % 4],
                        "progress": f"第{number}项任务{month}月进展：完成年度目标的{month * 8}%。",
                        "problems": None,
                        "next_steps": "下月继续推进。",
                        "reporter_user_id": user,
                        "reporter_name": f"填报人{unit}",
                        "chat_id": user,
                        "message_id": message,
                        "submitted_at": at,
                        "late": False,
                        "created_at": at,
                    }


def take(rows: Iterator[dict[str, Any]], count: int) -> Iterator[dict[str, Any]]:
    for _, row in zip(range(count), rows, strict=False):
        yield row


@dataclass
class Timing:
    best: float
    median: float
    statements: int
    cpu: float = 0.0  # mean CPU seconds per call: this process (SQLite's work included)
    server_cpu: float = 0.0  # and the PostgreSQL backend that served it (from /proc)


def backend_cpu(pid: int | None) -> float:
    """CPU seconds of a PostgreSQL backend on this machine so far (0 if not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Recorder:
    """Counts statements while on, and keeps each distinct one (with parameters) to EXPLAIN."""

    on: bool = False
    count: int = 0
    seen: dict[str, tuple[str, Any]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    label: str = ""

    def attach(self, engine: AsyncEngine) -> None:
        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _seen(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            if self.on:
                self.count += 1
                if statement not in self.seen:
                    self.seen[statement] = (statement, params)
                    self.labels[statement] = self.label


Query = Callable[[AsyncSession], Awaitable[object]]


async def timed(
    factory: async_sessionmaker[AsyncSession], recorder: Recorder, label: str, query: Query, n: int
) -> Timing:
    cpu = [0.0, 0.0]

    async def once() -> float:
        if label in AFTER_A_REPORT:  # a report committed just before, outside the timing
            async with factory() as session, session.begin():
                await session.execute(
                    update(ProgressEntry)
                    .where(ProgressEntry.id == 1)
                    .values(progress=ProgressEntry.progress + "。")
                )
        async with factory() as session:
            pid, counting, recorder.on = None, recorder.on, False
            if session.get_bind().dialect.name == "postgresql":
                pid = await session.scalar(text("SELECT pg_backend_pid()"))
                await session.rollback()  # the query's session starts as a handler's does
            recorder.on = counting
            server, mine = backend_cpu(pid), time.process_time()
            started = time.perf_counter()
            await query(session)
            took = time.perf_counter() - started
            cpu[0] += time.process_time() - mine
            cpu[1] += backend_cpu(pid) - server
            return took

    recorder.on, recorder.count, recorder.label = True, 0, label
    await once()  # warm-up (statement caches), counted for statements
    statements = recorder.count
    recorder.on, cpu[:] = False, [0.0, 0.0]
    times = [await once() for _ in range(n)]
    return Timing(min(times), statistics.median(times), statements, cpu[0] / n, cpu[1] / n)


AFTER_A_REPORT = ("/status summary, after a report", "digest data, after a report")


def queries(settings: Settings) -> dict[str, Query]:
    rules, tz = settings.calendar_rules(), settings.tz
    unit_task = (4, 4)  # a unit index and a task number it leads (leads_of(4) has unit 28)

    as_of = AsOf(now=NOW, rules=rules, tz=tz)

    async def status_all(s: AsyncSession) -> object:
        return await period_status(s, period=PERIOD, **as_of)

    async def status_summary(s: AsyncSession) -> object:
        return await period_summary(s, period=PERIOD, **as_of)

    async def status_counted(s: AsyncSession) -> object:
        forget()  # as after any write: the database counts again
        return await period_summary(s, period=PERIOD, **as_of)

    async def digest_counted(s: AsyncSession) -> object:
        forget()
        return await digest_data(s, now=NOW, rules=rules, tz=tz, period=PERIOD)

    async def status_unit(s: AsyncSession) -> object:
        unit_id = await s.scalar(
            text("SELECT id FROM units WHERE name = :n"), {"n": f"测试单位{28:04d}"}
        )
        return await period_status(s, period=PERIOD, unit_ids=[unit_id], **as_of)

    async def status_task(s: AsyncSession) -> object:
        return await task_status(s, period=PERIOD, number=unit_task[1], **as_of)

    async def digest(s: AsyncSession) -> object:
        return await digest_data(s, now=NOW, rules=rules, tz=tz, period=PERIOD)

    async def export_query(s: AsyncSession) -> object:
        return await ledgers(s, periods=[PERIOD], **as_of)

    return {
        "/status (all units)": status_all,
        "/status summary (all)": status_summary,
        "/status summary, counted": status_counted,
        AFTER_A_REPORT[0]: status_summary,
        "/status (one unit)": status_unit,
        "/status N (one task)": status_task,
        "digest data": digest,
        "digest data, counted": digest_counted,
        AFTER_A_REPORT[1]: digest,
        "ledger export query": export_query,
    }


async def export_workbook(factory: async_sessionmaker[AsyncSession], settings: Settings) -> float:
    async with factory() as session:
        data = await ledgers(
            session, periods=[PERIOD], rules=settings.calendar_rules(), tz=settings.tz, now=NOW
        )
    started = time.perf_counter()
    ledger_workbook(data, settings.tz, NOW)
    return time.perf_counter() - started


async def explain(engine: AsyncEngine, recorder: Recorder) -> None:
    sqlite = engine.dialect.name == "sqlite"
    print(f"  query plans ({'EXPLAIN QUERY PLAN' if sqlite else 'EXPLAIN'}), 2023-12 at 1M:")
    async with engine.connect() as conn:
        for statement, params in recorder.seen.values():
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = (await conn.exec_driver_sql(prefix + statement, params)).all()
            plan = [r[-1] for r in rows]
            one_line = " ".join(statement.split())
            print(f"  -- [{recorder.labels[statement]}] {one_line[:300]}")
            for line in plan:
                print(f"       {line}")


async def run_dialect(
    url: str,
    repeat: int,
    xlsx_tasks: bool,
    steps: tuple[int, ...] = STEPS,
    only: str = "",
    loaded_already: bool = False,
) -> dict[str, list[Timing]]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    name = engine.dialect.name
    if loaded_already:  # a database kept by --keep: time the code as it is on the same rows
        async with engine.connect() as conn:
            loaded = int(await conn.scalar(text("SELECT count(*) FROM progress_entries")) or 0)
        print(f"{name}: the kept database, {loaded:,} entries")
        rows: Iterator[dict[str, Any]] = iter(())
        steps = (loaded,)
    else:
        await schema.upgrade(engine)
        started = time.perf_counter()
        registry = await build_registry(engine)
        print(
            f"{name}: registry {UNITS} units, {len(registry.task_ids)} tasks "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rows, loaded = entry_rows(registry), 0
    recorder = Recorder()
    recorder.attach(engine)
    results: dict[str, list[Timing]] = {}
    rss = 0.0
    for step in steps:
        started = time.perf_counter()
        loaded += await insert_chunks(engine, ProgressEntry.__table__, take(rows, step - loaded))
        load = time.perf_counter() - started
        async with factory() as session, session.begin():  # as the prompt does, once
            await open_ledger(session, PERIOD, now=NOW, rules=settings.calendar_rules(),
                              tz=settings.tz)  # fmt: skip
            # and the quarter's milestones open their own period, once, as the first digest does
            await digest_data(session, now=NOW, rules=settings.calendar_rules(), tz=settings.tz,
                              period=PERIOD)  # fmt: skip
        if name == "postgresql":
            async with engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
        print(f"  {loaded:>9,} entries ({load:.1f} s to add)")
        reset_peak_rss()
        for label, query in queries(settings).items():
            if only and not any(word in label for word in only.split(",")):
                continue
            t = await timed(factory, recorder, label, query, repeat)
            results.setdefault(label, []).append(t)
            goal = f" = {t.median / 0.05:.2f} of 50 ms" if label.startswith("/status") else ""
            goal = f" = {t.median / 0.1:.2f} of 100 ms" if label.startswith("digest") else goal
            server = f" + server {t.server_cpu * 1000:.1f}" if name == "postgresql" else ""
            print(
                f"    {label:<32} median {t.median * 1000:8.1f} ms, best {t.best * 1000:8.1f} "
                f"ms{goal}; CPU {t.cpu * 1000:.1f}{server} ms; {t.statements} statements; "
                f"load {os.getloadavg()[0]:.1f}"
            )
        if xlsx_tasks and step == steps[-1]:
            xlsx = await export_workbook(factory, settings)
            print(f"    {'ledger xlsx writing':<32} {xlsx * 1000:8.1f} ms (one month, once)")
        rss = max(rss, peak_rss_mb())
    forget()
    print(f"  growth from {steps[0]:,} to {steps[-1]:,} entries (t ∝ entries^k):")
    for label, timings in results.items() if len(steps) > 1 else ():
        k = math.log(timings[-1].median / timings[0].median) / math.log(steps[-1] / steps[0])
        steps = " → ".join(f"{t.median * 1000:.1f}" for t in timings)
        print(f"    {label:<32} {steps} ms, k = {k:.2f}")
    print(f"  peak RSS while querying (VmHWM): {rss:.0f} MiB = {rss / 200:.2f} of 200 MB")
    await explain(engine, recorder)
    await engine.dispose()
    return results


async def with_postgres(admin_url: str, keep: bool, **options: Any) -> None:
    """A throw-away database on the server, dropped afterwards (unless `keep`)."""
    name = f"ledgerbot_bench_{int(time.time())}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(False)
        await run_dialect(url, **options)
    finally:
        if keep:
            print(f"  kept database {name}")
        else:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--xlsx", action="store_true", help="also write the 1M-step ledger workbook (slow)"
    )
    parser.add_argument(
        "--steps", default=",".join(map(str, STEPS)), help="entry counts to load and time at"
    )
    parser.add_argument("--only", default="", help="time only labels containing one of these")
    parser.add_argument("--keep", action="store_true", help="keep the databases (path printed)")
    parser.add_argument(
        "--kept",
        action="append",
        default=[],
        metavar="URL",
        help="time the queries on a database kept by --keep (migrated, loaded; may repeat)",
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    options: dict[str, Any] = {
        "repeat": args.repeat,
        "xlsx_tasks": args.xlsx,
        "steps": tuple(int(n) for n in args.steps.split(",")),
        "only": args.only,
    }
    for url in args.kept:
        asyncio.run(run_dialect(url, **options, loaded_already=True))
    for database in args.databases.split(",") if not args.kept else ():
        if database == "sqlite":
            if args.keep:
                folder = tempfile.mkdtemp(prefix="ledgerbot_bench_")
                print(f"  keeping database {folder}/bench.db")
                asyncio.run(run_dialect(f"sqlite+aiosqlite:///{folder}/bench.db", **options))
                continue
            with tempfile.TemporaryDirectory() as folder:
                asyncio.run(run_dialect(f"sqlite+aiosqlite:///{folder}/bench.db", **options))
        elif database == "postgresql":
            asyncio.run(with_postgres(args.postgres, args.keep, **options))
        else:
            raise SystemExit(f"unknown database {database!r}")


if __name__ == "__main__":
    main()
