"""Campaigns of concurrency: two webhook replicas on one PostgreSQL, and the bot writing while
the CLI writes on SQLite. Shared by the test suite (small) and `bench/bench_campaigns.py`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.campaigns.crash import NINE, _entries, create_users, prompt_counts, wait_all
from tests.campaigns.schedule import settle
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout
from tests.plans import OWN_POINTS

PLAN = OWN_POINTS  # any plan will do: the project's own, in the work points' shape


# --- two replicas ---------------------------------------------------------------------------
def replicas_campaign(harness: Harness, units: int, workdir: Path) -> tuple[int, int, int]:
    """Two webhook replicas on one PostgreSQL fire the same 09:00 prompt to `units` contacts;
    returns (contacts, lost, doubled)."""
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    second = Harness(harness.tg, harness.db_url, workdir, harness.admin_ids)
    workdir.mkdir(exist_ok=True)
    try:
        for world, port in ((harness, 18451), (second, 18452)):
            world.extra_env.update(
                LEDGERBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                LEDGERBOT_WEBHOOK_LISTEN="127.0.0.1",
                LEDGERBOT_WEBHOOK_PORT=str(port),
                LEDGERBOT_WEBHOOK_SECRET=f"secret-{port}",
                LEDGERBOT_FAKE_NOW=(NINE - timedelta(seconds=3)).isoformat(),
            )
            world.start()
        counts = wait_all(harness, lambda: prompt_counts(harness, users), users, 60 + units / 10)
        settle(harness)
        counts = prompt_counts(harness, users)
    finally:
        second.bot.kill()
    lost = sum(1 for u in users if not counts[u])
    return len(users), lost, sum(c - 1 for c in counts.values() if c > 1)


# --- concurrent SQLite writers -------------------------------------------------------------
@dataclass
class WritersReport:
    reports_sent: int
    entries: int
    cli_runs: int
    cli_failures: list[str]
    locked: int


def writers_campaign(harness: Harness, senders: int, reports: int, cli_loops: int) -> WritersReport:
    """The bot takes /report bursts while the CLI imports a plan and adds staff and invites."""
    users = seed_fanout(harness.db_url, units=senders)
    create_users(harness, users)
    harness.start(LEDGERBOT_FAKE_NOW=(NINE + timedelta(hours=2)).isoformat())
    outputs: list[str] = []
    failures: list[str] = []

    def cli(*args: str) -> None:
        result = harness.cli(*args, check=False)
        outputs.append(result.stdout + result.stderr)
        if result.returncode != 0:
            failures.append(f"{' '.join(args)}: {result.stderr[-500:]}")

    def cli_traffic() -> None:
        cli("import", str(PLAN), "--year", "2024")
        for n in range(cli_loops):
            cli("staff", "add", str(800_000_000 + n))
            cli("invite", "测试单位0001")

    worker = threading.Thread(target=cli_traffic)
    worker.start()
    sent = 0
    while sent < reports or worker.is_alive():  # spread the reports over the CLI's writes
        harness.control.send_message(
            users[sent % senders], f"/report {sent % senders + 1} 序时推进 并发第{sent}条"
        )
        sent += 1
        time.sleep(0.05)  # about 20 a second: the bot keeps up, so the test ends
    worker.join(600)
    wanted = [f"并发第{i}条" for i in range(sent)]
    counts = wait_all(harness, lambda: _entries(harness), wanted, 60 + sent / 5)
    harness.bot.stop()
    text = "\n".join(outputs) + harness.bot.log()
    return WritersReport(
        reports_sent=sent,
        entries=sum(1 for w in wanted if counts[w] == 1),
        cli_runs=len(outputs),
        cli_failures=failures,
        locked=text.count("database is locked"),
    )
