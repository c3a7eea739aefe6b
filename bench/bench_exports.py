"""Export benchmark: a year of a 2,000-unit registry, each document goal ≤10 s (load + write).

Run: .venv/bin/python bench/bench_exports.py [--units 2000] [--postgres URL]

World: a freshly migrated SQLite file (and, with --postgres, a throw-away PostgreSQL database
created and dropped here): 2,000 units; one 2023 plan of 2,000 tasks in 10 sections, task i
led by unit i and every third task also by unit i+1 (≈2,667 owed reports a month), one
supporting unit each, four quarterly milestones per task; twelve months of entries for every
owed report except ≈8 % missing (≈29,000 current entries; 10 % late, 12 % 滞后, every fifth
awaiting 审定) written with multi-row Core INSERTs; milestone answers for 90 % of (task, lead).

Each export is timed once, from the open session to the bytes: ledger (12 sheets), bulletin
2023Q2 (xlsx, docx), scorecard 2023, entries 2023 (csv, json), digest (text + chart). Prints
seconds, the goal and the ratio (≤ 1.00 meets it); it never asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.scoring import Weights
from ledger.timetable import DEFAULT_RULES, ledger_schedule
from messages.digest import digest_chart, digest_message
from models import (
    Milestone,
    MilestoneResult,
    Plan,
    ProgressEntry,
    Section,
    Task,
    TaskUnit,
    Unit,
    schema,
)
from models.db import make_engine, make_session_factory
from reports.bulletin import build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_xlsx import bulletin_xlsx
from reports.entries import entries_csv, entries_json
from reports.ledger_xlsx import ledger_workbook
from reports.scorecard import scorecard_xlsx
from services import quarter_year_data, reports
from services.digest import digest_data
from tests.reports.simulate import TZ, roll

GOAL = 10.0
YEAR = 2023
CHUNK = 1000


async def _bulk(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


async def seed(factory: Any, units: int) -> int:
    """Build the world; returns the number of entries written."""
    async with factory() as s:
        await _bulk(
            s,
            Unit,
            [
                {
                    "id": i,
                    "name": f"测试单位{i:04d}",
                    "kind": "department",
                    "created_at": datetime.now(UTC),
                }
                for i in range(1, units + 1)
            ],
        )
        await _bulk(
            s,
            Plan,
            [
                {
                    "id": 1,
                    "year": YEAR,
                    "title": "压力测试工作要点",
                    "code": "工作要点",
                    "first_period": f"{YEAR}-01",
                    "last_period": f"{YEAR}-12",
                    "source": "bench",
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
            ],
        )
        await _bulk(
            s,
            Section,
            [
                {
                    "id": n,
                    "plan_id": 1,
                    "number": "一二三四五六七八九十"[n - 1],
                    "title": f"第{n}部分",
                    "position": n,
                }
                for n in range(1, 11)
            ],
        )
        per_section = max(units // 10, 1)
        await _bulk(
            s,
            Task,
            [
                {
                    "id": i,
                    "plan_id": 1,
                    "section_id": min((i - 1) // per_section + 1, 10),
                    "number": i,
                    "text": f"推进第{i}项重点任务，确保按期完成。",
                    "active": True,
                    "updated_at": datetime.now(UTC),
                }
                for i in range(1, units + 1)
            ],
        )
        links, leads = [], {}
        for i in range(1, units + 1):
            owners = [i] + ([i % units + 1] if i % 3 == 0 else [])
            leads[i] = owners
            links += [
                {"task_id": i, "unit_id": u, "role": "lead", "position": p}
                for p, u in enumerate(owners)
            ]
            links.append(
                {"task_id": i, "unit_id": (i + 7) % units + 1, "role": "support", "position": 0}
            )
        await _bulk(s, TaskUnit, links)
        await _bulk(
            s,
            Milestone,
            [
                {
                    "id": (i - 1) * 4 + q,
                    "task_id": i,
                    "quarter": q,
                    "target": f"第{q}季度完成节点目标。",
                    "due_date": Quarter(YEAR, q).last_day,
                }
                for i in range(1, units + 1)
                for q in range(1, 5)
            ],
        )
        entries = []
        for month in range(1, 13):
            period = Period(YEAR, month)
            due = ledger_schedule(period, DEFAULT_RULES, TZ).due_at
            for task, owners in leads.items():
                for unit in owners:
                    r = roll(unit, task, month)
                    if r < 8:
                        continue
                    late = r >= 90
                    entries.append(
                        {
                            "task_id": task,
                            "unit_id": unit,
                            "period": period.key,
                            "version": 1,
                            "is_current": True,
                            "state": "submitted" if r % 5 == 0 else "approved",
                            "status": "behind" if r < 20 else "done" if r > 85 else "on_track",
                            "progress": f"{month}月完成阶段工作{r}%，项目按计划推进。",
                            "problems": "资金保障不足。" if r < 20 else None,
                            "next_steps": "加快推进。",
                            "reporter_name": "填报人",
                            "submitted_at": due
                            + (timedelta(days=1) if late else -timedelta(days=2)),
                            "late": late,
                            "created_at": due,
                        }
                    )
        await _bulk(s, ProgressEntry, entries)
        results = [
            {
                "milestone_id": (task - 1) * 4 + q,
                "unit_id": unit,
                "outcome": ("met", "partly", "not_met")[roll(task, unit, q) % 3],
                "explanation": "",
                "submitted_at": datetime(YEAR, 3 * q, 25, tzinfo=UTC),
                "late": False,
                "created_at": datetime(YEAR, 3 * q, 25, tzinfo=UTC),
            }
            for task, owners in leads.items()
            for unit in owners
            for q in range(1, 5)
            if roll("m", task, unit, q) >= 10
        ]
        await _bulk(s, MilestoneResult, results)
        await s.commit()
    return len(entries)


async def timed(label: str, factory: Any, work: Callable[[AsyncSession], Awaitable[Any]]) -> None:
    start = time.perf_counter()
    async with factory() as session:
        result = await work(session)
    elapsed = time.perf_counter() - start
    size = len(result) if isinstance(result, bytes | str) else 0
    print(
        f"  {label:<34} {elapsed:7.2f} s  goal {GOAL:4.1f} s  ratio {elapsed / GOAL:5.2f}"
        f"  ({size / 1e6:5.1f} MB)"
    )


async def bench(url: str, units: int) -> None:
    engine = make_engine(url)
    await schema.upgrade(engine)
    factory = make_session_factory(engine)
    start = time.perf_counter()
    count = await seed(factory, units)
    print(
        f"{engine.dialect.name}: {units} units, {count:,} entries seeded in "
        f"{time.perf_counter() - start:.1f} s"
    )
    now = datetime(YEAR + 1, 1, 20, tzinfo=UTC)
    rules, weights = DEFAULT_RULES, Weights()
    months = [Period(YEAR, m) for m in range(1, 13)]

    async def ledger(s: AsyncSession) -> bytes:
        found = await reports.ledgers(s, periods=months, rules=rules, tz=TZ, now=now)
        return await asyncio.to_thread(ledger_workbook, found, TZ, now)

    async def ledger_month(s: AsyncSession) -> bytes:
        found = await reports.ledgers(s, periods=[Period(YEAR, 5)], rules=rules, tz=TZ, now=now)
        return ledger_workbook(found, TZ, now)

    async def bulletin(s: AsyncSession, writer: Callable[..., bytes]) -> bytes:
        data = await quarter_year_data.quarter_data(
            s, quarter=Quarter(YEAR, 2), rules=rules, tz=TZ, now=now
        )
        assert data is not None
        return writer(build(data))

    async def scorecard(s: AsyncSession) -> bytes:
        data = await quarter_year_data.year_data(
            s, year=YEAR, through=Period(YEAR, 12), rules=rules, tz=TZ, now=now
        )
        assert data is not None
        return scorecard_xlsx(data, weights, TZ, f"{YEAR}-12", now)

    async def entries(s: AsyncSession, writer: Callable[..., str]) -> str:
        rows = await reports.load_entries(s, plan_id=None, year=YEAR, current_only=False)
        return writer(rows, TZ)

    async def digest(s: AsyncSession) -> str:
        data = await digest_data(
            s, now=datetime(YEAR, 6, 12, 2, tzinfo=UTC), rules=rules, tz=TZ, period=Period(YEAR, 5)
        )
        chart = digest_chart(data, date(YEAR, 6, 12), "zh")
        return str(digest_message(data, "zh")["text"]) + chart["photo_b64"]

    await timed("ledger, one month (1 sheet)", factory, ledger_month)
    await timed("ledger, whole year (12 sheets)", factory, ledger)
    await timed("bulletin 2023Q2 xlsx", factory, lambda s: bulletin(s, bulletin_xlsx))
    await timed("bulletin 2023Q2 docx", factory, lambda s: bulletin(s, bulletin_docx))
    await timed("scorecard 2023 xlsx", factory, scorecard)
    await timed("entries 2023 csv", factory, lambda s: entries(s, entries_csv))
    await timed("entries 2023 json", factory, lambda s: entries(s, entries_json))
    await timed("digest (text + chart)", factory, digest)
    await engine.dispose()


async def _admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--postgres", help="server URL; a throw-away database is made there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(bench(f"sqlite+aiosqlite:///{folder}/bench.db", args.units))
    if args.postgres:
        from sqlalchemy.engine import make_url

        name = f"ledgerbot_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(args.postgres, f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            asyncio.run(bench(url, args.units))
        finally:
            asyncio.run(_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
