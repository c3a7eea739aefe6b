"""Import benchmark: the 42-task flattened table (goal ≤1 s) and a 10,000-row xlsx (goal ≤10 s).

Both are timed twice: parsing alone, and the full import (parse + write into a freshly migrated
SQLite database, one transaction), plus a no-change re-import of the big sheet.

Run: .venv/bin/python bench/bench_import.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.importing import parse_file
from ledger.importing.files import TEMPLATE_COLUMNS
from models import schema
from models.db import make_engine, make_session_factory, transaction
from services.audit import Actor
from services.importer import import_plan
from tests.plans import plans_dir

TABLE = plans_dir() / "chengdemeizi-2021-ten-major-tasks.txt"  # ../shared/plans (tests/plans.py)
ROWS = 10_000
GOALS = {"table": 1.0, "xlsx": 10.0}


def timed(label: str, goal: float, run: Callable[[], int]) -> None:
    """Run once and print seconds, the goal and their ratio (≤ 1.00 meets the goal)."""
    start = time.perf_counter()
    tasks = run()
    elapsed = time.perf_counter() - start
    ratio = elapsed / goal
    print(f"{label:<40} {elapsed:7.3f} s  goal {goal:4.1f} s  ratio {ratio:5.2f}  ({tasks} tasks)")


def write_big_xlsx(path: Path) -> None:
    """A template sheet of ROWS tasks, ten sections, realistic cell lengths."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务")
    sheet.append(list(TEMPLATE_COLUMNS))
    for n in range(1, ROWS + 1):
        section = f"第{n // 1000 + 1}板块" if n % 1000 == 1 else None
        sheet.append(
            [
                section,
                n,
                f"推进第{n}项重点任务,完成年度建设目标,协同推进成资同城化发展。",
                "市发展改革委、市交通运输局",
                "各县(区)、高新区、临空经济区",
                "市统计局",
                "3月底前完成前期工作。",
                "6月底前完成主体工程30%。",
                "9月底前完成主体工程70%。",
                "12月底前完工投用。",
            ]
        )
    workbook.save(path)


def _count(path: Path) -> int:
    return len(parse_file(path).tasks)


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await schema.upgrade(engine)
    finally:
        await engine.dispose()


async def _import(url: str, path: Path, year: int) -> int:
    """Parse and write in one transaction, as `ledgerbot import` does; returns the task count."""
    parsed = parse_file(path, year=year)
    engine = make_engine(url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            await import_plan(parsed, session=session, source=path.name, actor=Actor.cli())
    finally:
        await engine.dispose()
    return len(parsed.tasks)


def fresh_database(folder: Path, name: str) -> str:
    """A migrated, empty SQLite file (migration time is not part of an import)."""
    url = f"sqlite+aiosqlite:///{folder / name}"
    asyncio.run(_migrate(url))
    return url


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if TABLE.is_file():
            timed("parse 42-task table, cold (first call)", GOALS["table"], lambda: _count(TABLE))
            timed("parse 42-task table (text)", GOALS["table"], lambda: _count(TABLE))
            url = fresh_database(folder, "table.db")
            timed(
                "import 42-task table into fresh SQLite",
                GOALS["table"],
                lambda: asyncio.run(_import(url, TABLE, 2021)),
            )
        else:
            print(f"skipped: {TABLE} not found")
        path = folder / "big.xlsx"
        start = time.perf_counter()
        write_big_xlsx(path)
        print(f"(generated {ROWS:,}-row xlsx in {time.perf_counter() - start:.2f} s)")
        timed(f"parse {ROWS:,}-row xlsx (template)", GOALS["xlsx"], lambda: _count(path))
        url = fresh_database(folder, "big.db")
        run = lambda: asyncio.run(_import(url, path, 2024))  # noqa: E731
        timed(f"import {ROWS:,}-row xlsx into fresh SQLite", GOALS["xlsx"], run)
        timed(f"re-import {ROWS:,}-row xlsx (no changes)", GOALS["xlsx"], run)


if __name__ == "__main__":
    main()
