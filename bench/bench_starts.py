"""What one start of `ledgerbot run` costs the test suite: a new interpreter (as an operator
starts it) against a process forked from the suite's prepared interpreter (tests/e2e/forkserver.py).
Each start runs until the bot polls the Telegram double, then stops on SIGINT; the figures are
the CPU seconds (user + sys) of the bot processes and the wall time until they polled.

    .venv/bin/python bench/bench_starts.py            # 5 starts of each kind, alternating
    .venv/bin/python bench/bench_starts.py --starts 10
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import migrate
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.forkserver import ForkServer
from tests.e2e.harness import Harness
from tests.telegram_double import TelegramDouble

FAKE_NOW = "2023-04-03T11:00:00+08:00"  # collecting 2023-03; nothing scheduled is due


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="starts of each kind")
    args = parser.parse_args()
    figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(migrate(url))
        double = TelegramDouble.start_in_thread()
        harness = Harness(double, url, Path(folder), admin_ids=[ADMIN_ID])
        try:
            ForkServer.enabled = True
            harness.start()  # the fork server's own start-up is paid once, outside the figures
            harness.bot.stop()
            for forked in [True, False] * args.starts:
                ForkServer.enabled = forked
                cpu, began = _children_cpu(), time.monotonic()
                harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
                polled = time.monotonic() - began
                assert harness.bot.stop() == 0, harness.bot.log()[-2000:]
                figures[forked].append((_children_cpu() - cpu, polled))
        finally:
            harness.bot.kill()
            double.stop()
    for forked, label in ((False, "new interpreter"), (True, "forked")):
        cpu = statistics.median(c for c, _ in figures[forked])
        wall = statistics.median(w for _, w in figures[forked])
        print(f"{label:16} median of {args.starts}: {cpu:.2f} s CPU, polling after {wall:.2f} s")
    ratio = statistics.median(c for c, _ in figures[True]) / statistics.median(
        c for c, _ in figures[False]
    )
    print(f"forked / new interpreter CPU: {ratio:.2f}")


if __name__ == "__main__":
    main()
