"""Full-size fault and crash campaigns against the real `ledgerbot run` process.

The same code as the small in-suite campaigns (tests/campaigns/), at the sizes of issue #7:
50 SIGKILLs during a fan-out and during inbound bursts (polling; and webhook, issue #11),
10% faults, a month of restarts, 1,000 prompts from two webhook replicas, concurrent SQLite
writers; two replicas draining 1,000 rows under the double's flood limits with the dispatching
one SIGKILLed (one rate limit per bot, issue #11). Prints one line per campaign; figures go in
bench/README.md.

    .venv/bin/python bench/bench_campaigns.py                       # SQLite (replicas skipped)
    .venv/bin/python bench/bench_campaigns.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/bench_campaigns.py --only fanout,inbound
    .venv/bin/python bench/bench_campaigns.py --only webhook   # 50 kills mid-burst, webhook mode
    .venv/bin/python bench/bench_campaigns.py --only drain     # two replicas, one rate limit
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import migrate
from tests.campaigns.concurrency import replicas_campaign, writers_campaign
from tests.campaigns.crash import fanout_campaign, inbound_campaign
from tests.campaigns.intake import webhook_kill_campaign
from tests.campaigns.replicas import replica_campaign
from tests.campaigns.schedule import faults_campaign, month_campaign
from tests.conftest import PostgresServer
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.harness import Harness
from tests.telegram_double import TelegramDouble


@contextmanager
def world(postgres: str | None) -> Iterator[Harness]:
    """A double, a migrated database (a fresh one each time) and a harness for the bot."""
    server = PostgresServer(postgres) if postgres else None
    with tempfile.TemporaryDirectory() as folder:
        url = server.create_database() if server else f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(migrate(url))
        double = TelegramDouble.start_in_thread()
        harness = Harness(double, url, Path(folder), admin_ids=[ADMIN_ID])
        try:
            yield harness
        finally:
            harness.bot.kill()
            double.stop()
            if server:
                server.drop_all()


def campaigns(postgres: str | None) -> dict[str, Callable[[Harness], Any]]:
    found: dict[str, Callable[[Harness], Any]] = {
        "fanout": lambda h: fanout_campaign(h, units=300, kills=50),
        "inbound": lambda h: inbound_campaign(h, senders=20, messages=1000, kills=50),
        "webhook": lambda h: webhook_kill_campaign(h, senders=20, messages=1000, kills=50),
        "faults": lambda h: faults_campaign(h, units=300),
        "month": lambda h: month_campaign(h, units=20),
        "drain": lambda h: replica_campaign(h, rows=1000, kill_after=300),
    }
    if postgres:
        found["replicas"] = lambda h: replicas_campaign(h, 1000, h.workdir / "replica2")
    else:
        found["writers"] = lambda h: writers_campaign(h, senders=20, reports=500, cli_loops=10)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (databases are created)")
    parser.add_argument("--only", help="comma-separated campaign names")
    args = parser.parse_args()
    chosen = campaigns(args.postgres)
    names = args.only.split(",") if args.only else list(chosen)
    database = "postgresql" if args.postgres else "sqlite"
    for name in names:
        with world(args.postgres) as harness:
            result = chosen[name](harness)
            problems = harness.tg.problems()  # 4xx nobody declared, as the tests count them
        figures = asdict(result) if hasattr(result, "__dataclass_fields__") else result
        print(f"{database:10} {name:8} {figures} problems={problems}", flush=True)


if __name__ == "__main__":
    main()
