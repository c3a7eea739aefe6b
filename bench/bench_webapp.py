"""Mini App benchmark: the grid's API answer (GET /api/v1/grid) for 2,000 units × 42 tasks,
p50 and p99, on SQLite and PostgreSQL. Goal: p99 ≤ 300 ms.

Run: .venv/bin/python bench/bench_webapp.py [--databases sqlite,postgresql]
     [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres] [--repeat 50]

Generator: a freshly migrated database per dialect (PostgreSQL: a throw-away database created
and dropped here) gets 2,000 units and one plan of 42 tasks, every unit leading every task
(84,000 obligations for 2023-05 once the ledger opens), and current entries for two thirds of
them: a third approved, a third waiting for 审定 (every unit has a principal bound; every
tenth unit has no contact, so its cells are hatched). Rows are written with multi-row Core
INSERTs. The real web server runs in this process (aiohttp, the app `ledgerbot run` serves);
one warm-up request opens the ledger (writes the obligations; PostgreSQL is VACUUM ANALYZEd
after it, as autovacuum would after 84,000 inserts), then `--repeat` requests are
timed end to end from an HTTP client with a read-only API token, as a browser would wait for
them (server, JSON and transfer). The answer's size is printed. Two series: `kept` (nothing
changes between requests: the kept answer after its fingerprint is read) and `rebuilt` (one
obligation is counted or uncounted before each request, untimed: every answer is built anew).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import case, func, insert, literal, null, select, text, update
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine, percentile
from config import Settings
from ledger.clock import Clock
from ledger.vocab import ContactRole, EntryState, EntryStatus, UnitKind, UnitRole
from models import Contact, Obligation, Plan, ProgressEntry, Task, TaskUnit, Unit, schema
from models.db import make_engine, make_session_factory, transaction
from services import api_tokens
from services.audit import Actor
from services.runtime import Runtime
from web.app import WebDeps, build_web_app

UNITS, TASKS = 2000, 42
NOW = datetime(2023, 6, 6, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the day before the deadline
SUBMITTED = datetime(2023, 6, 2, 2, 0, tzinfo=UTC)
CHUNK = 2000
SERIES = {"kept": "kept (nothing changed)", "rebuilt": "rebuilt (a cell changed before each)"}


async def _insert(engine: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            await connection.execute(insert(table), rows[start : start + CHUNK])


def _unit(n: int, created: datetime) -> dict[str, Any]:
    return {"id": n, "name": f"测试单位{n:04d}", "kind": UnitKind.DEPARTMENT, "created_at": created}


def _contacts(unit: int) -> list[dict[str, Any]]:
    """A principal everywhere; a contact except in every tenth unit (hatched cells)."""
    rows = [{"telegram_user_id": 10_000_000 + unit, "unit_id": unit,
             "role": ContactRole.PRINCIPAL, "active": True}]  # fmt: skip
    if unit % 10:
        rows.append({"telegram_user_id": 20_000_000 + unit, "unit_id": unit,
                     "role": ContactRole.CONTACT, "active": True})  # fmt: skip
    return rows


def _entry(task: int, unit: int) -> dict[str, Any]:
    """Approved when (task + unit) % 3 == 0, waiting for 审定 when it is 1."""
    state = EntryState.APPROVED if (task + unit) % 3 == 0 else EntryState.SUBMITTED
    return {
        "task_id": task, "unit_id": unit, "period": "2023-05", "version": 1,
        "is_current": True, "state": state, "status": EntryStatus.ON_TRACK,
        "progress": f"单位{unit}任务{task}进展顺利。", "reporter_user_id": 20_000_000 + unit,
        "submitted_at": SUBMITTED, "late": False, "created_at": SUBMITTED,
    }  # fmt: skip


async def build(url: str) -> str:
    """The registry and entries above; returns a read-only API token."""
    engine = make_engine(url)
    await schema.upgrade(engine)
    created = datetime(2023, 1, 1, tzinfo=UTC)
    unit_ids, task_ids = range(1, UNITS + 1), range(1, TASKS + 1)
    await _insert(engine, Unit, [_unit(n, created) for n in unit_ids])
    plan = {"id": 1, "year": 2023, "title": "2023年工作要点", "code": "要点",
            "first_period": "2023-01", "last_period": "2023-12", "created_at": created,
            "updated_at": created}  # fmt: skip
    await _insert(engine, Plan, [plan])
    tasks = [{"id": n, "plan_id": 1, "number": n, "text": f"任务内容{n}", "active": True,
              "updated_at": created} for n in task_ids]  # fmt: skip
    await _insert(engine, Task, tasks)
    leads = [{"task_id": t, "unit_id": u, "role": UnitRole.LEAD, "position": 0}
             for t in task_ids for u in unit_ids]  # fmt: skip
    await _insert(engine, TaskUnit, leads)
    await _insert(engine, Contact, [c for u in unit_ids for c in _contacts(u)])
    entries = [_entry(t, u) for t in task_ids for u in unit_ids if (t + u) % 3 != 2]
    await _insert(engine, ProgressEntry, entries)
    async with transaction(make_session_factory(engine)) as session:
        token = await api_tokens.create(session, "bench", can_write=False, now=NOW,
                                        actor=Actor.cli())  # fmt: skip
    await engine.dispose()
    return token


async def _change_one_cell(engine: Any) -> None:
    """A report counted or uncounted: what a 审定 does to one cell, so the kept grid is stale."""
    o = Obligation
    counted = case((o.counted_at.is_(None), literal(NOW, o.counted_at.type)), else_=null())
    async with engine.begin() as connection:
        await connection.execute(
            update(o)
            .where(o.id == select(func.min(o.id)).scalar_subquery())
            .values(counted_at=counted)
        )


async def measure(url: str, token: str, repeat: int, rebuilt: bool) -> dict[str, float]:
    settings = Settings(database_url=url, telegram_token="123456:bench-token")
    engine = make_engine(url)
    runtime = Runtime(settings, engine, make_session_factory(engine), Clock(NOW))
    server = TestServer(build_web_app(WebDeps(runtime, time.monotonic)))
    await server.start_server()
    headers = {"Authorization": f"Bearer {token}"}
    address = str(server.make_url("/api/v1/grid?period=2023-05"))
    times, size, cells = [], 0, 0
    try:
        async with aiohttp.ClientSession() as client:
            started = time.perf_counter()
            async with client.get(address, headers=headers) as response:
                assert response.status == 200, await response.text()
                await response.read()
            opening = time.perf_counter() - started
            if engine.dialect.name == "postgresql":  # the 84,000 new obligations, as autovacuum
                autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
                async with autocommit.connect() as connection:  # would soon after
                    await connection.execute(text("VACUUM ANALYZE"))
            for _ in range(repeat):
                if rebuilt:  # untimed: a write between requests, as a busy morning has
                    await _change_one_cell(engine)
                started = time.perf_counter()
                async with client.get(address, headers=headers) as response:
                    body = await response.read()
                times.append(time.perf_counter() - started)
                assert response.status == 200
            size = len(body)
            data = await response.json()
            cells = sum(len(u["cells"]) - u["cells"].count(".") for u in data["units"])
            assert len(data["units"]) == UNITS and len(data["tasks"]) == TASKS
    finally:
        await server.close()
        await engine.dispose()
    return {"p50": percentile(times, 0.5), "p99": percentile(times, 0.99), "max": max(times),
            "opening": opening, "bytes": size, "cells": cells}  # fmt: skip


async def with_postgres(server_url: str, work: Any) -> Any:
    import asyncpg

    name = f"ledgerbot_bench_{uuid.uuid4().hex[:10]}"
    admin = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        return await work(url)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def run(kind: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    async def work(url: str) -> dict[str, dict[str, float]]:
        started = time.perf_counter()
        token = await build(url)
        print(f"  {kind}: built in {time.perf_counter() - started:.1f} s", flush=True)
        if kind == "postgresql":
            engine = make_engine(url)
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
            await engine.dispose()
        return {
            series: await measure(url, token, args.repeat, rebuilt=series == "rebuilt")
            for series in args.series.split(",")
        }

    if kind == "sqlite":
        path = Path(args.workdir) / f"bench-webapp-{uuid.uuid4().hex[:8]}.db"
        try:
            return await work(f"sqlite+aiosqlite:///{path}")
        finally:
            _remove(path)
    return await with_postgres(args.postgres, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--series", default="kept,rebuilt", help="kept, rebuilt or both")
    parser.add_argument("--workdir", default=".")
    args = parser.parse_args()
    print(machine())
    print(f"GET /api/v1/grid?period=2023-05, {UNITS} units × {TASKS} tasks, {args.repeat} requests")
    print(
        "| database | grid | p50 | p99 | max | first request (opens the ledger) | answer "
        "| p99 ≤ 300 ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for kind in args.databases.split(","):
        for series, r in asyncio.run(run(kind, args)).items():
            figures = " | ".join(f"{r[k] * 1000:.0f} ms" for k in ("p50", "p99", "max"))
            answer = f"{r['bytes'] / 1024:.0f} KiB, {r['cells']:,} cells"
            verdict = "met" if r["p99"] <= 0.3 else "missed"
            print(f"| {kind} | {SERIES[series]} | {figures} | {r['opening']:.1f} s | {answer} "
                  f"| {verdict} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
