"""Idle bot: the resident memory and start-up time of `ledgerbot run` with nothing to do.

Run: .venv/bin/python bench/bench_idle.py [--rounds 3] [--idle-seconds 5]

World: a fresh migrated SQLite file and the Bot API double in its own process. Each round
starts ``python -m ledgerbot run`` (polling), as in production, waits until it has polled, lets
it idle ``--idle-seconds`` (its start-up catch-up done, the outbox empty), then reads its
``VmRSS`` and ``VmHWM`` from ``/proc/<pid>/status`` and stops it with SIGINT. Start-up is the
time from the process's start to its first ``getUpdates`` (wall clock, so it moves with the
machine's load; the CPU seconds of the process up to then are printed beside it).

Also printed: which heavy libraries the idle process has loaded (from ``/proc/<pid>/maps``),
since matplotlib and the report writers should load only when a chart or a document is made.
Goal: RSS ≤ 120 MB idle.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import DoubleProcess, cpu_seconds, env_without_ledgerbot, machine, peak_rss_mb
from models import schema
from models.db import make_engine

HEAVY = ("matplotlib", "numpy", "PIL", "openpyxl", "docx", "lxml", "aiogram")
GOAL_MB = 120


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def loaded_libraries(pid: int) -> list[str]:
    """Heavy packages with a shared object mapped, or a module file open, in the process."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [name for name in HEAVY if f"/{name}/" in maps or f"/{name}." in maps]


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await schema.upgrade(engine)
    finally:
        await engine.dispose()


def one_round(double: DoubleProcess, db_url: str, idle: float, log: Path) -> dict[str, float]:
    env = env_without_ledgerbot()
    env.update(
        LEDGERBOT_TELEGRAM_TOKEN=double.token,
        LEDGERBOT_TELEGRAM_BASE_URL=double.base_url,
        LEDGERBOT_DATABASE_URL=db_url,
        LEDGERBOT_POLLING_TIMEOUT="1",
        LEDGERBOT_WEB_PORT="0",
    )
    before = double.control.stats()["requests"].get("getUpdates", 0)
    with log.open("ab") as out:
        started = time.monotonic()
        bot = subprocess.Popen([sys.executable, "-m", "ledgerbot", "run"], env=env,
                               stdout=out, stderr=out)  # fmt: skip
        try:
            while double.control.stats()["requests"].get("getUpdates", 0) <= before:
                if bot.poll() is not None:
                    raise RuntimeError(f"the bot exited; see {log}")
                time.sleep(0.02)
            ready, cpu_ready = time.monotonic() - started, cpu_seconds(bot.pid)
            time.sleep(idle)
            figures = {
                "start_s": ready,
                "start_cpu_s": cpu_ready,
                "rss": rss_mb(bot.pid),
                "hwm": peak_rss_mb(bot.pid),
            }
            print(f"  loaded: {', '.join(loaded_libraries(bot.pid)) or 'none of ' + str(HEAVY)}")
        finally:
            bot.send_signal(2)
            try:
                bot.wait(20)
            except subprocess.TimeoutExpired:
                bot.kill()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        db_url = f"sqlite+aiosqlite:///{base / 'idle.db'}"
        asyncio.run(_migrate(db_url))
        with DoubleProcess(flood_limits=False, log=base / "double.log") as double:
            rounds = [
                one_round(double, db_url, args.idle_seconds, base / "bot.log")
                for _ in range(args.rounds)
            ]
    for n, r in enumerate(rounds, 1):
        print(
            f"  round {n}: start {r['start_s']:.2f} s ({r['start_cpu_s']:.2f} s CPU), "
            f"idle RSS {r['rss']:.0f} MiB, peak {r['hwm']:.0f} MiB"
        )
    rss = statistics.median(r["rss"] for r in rounds)
    hwm = max(r["hwm"] for r in rounds)
    cpu = statistics.median(r["start_cpu_s"] for r in rounds)
    print(
        f"idle RSS (median) {rss:.0f} MiB = {rss * 1.048576 / GOAL_MB:.2f} of {GOAL_MB} MB; "
        f"peak {hwm:.0f} MiB; start-up CPU (median) {cpu:.2f} s"
    )


if __name__ == "__main__":
    main()
