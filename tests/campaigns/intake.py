"""SIGKILL campaign in webhook mode: kill the real bot while it works through bursts of
`/report`s, restart it, and count — from what was sent and the entries in the database — what
was lost or doubled. Each kill is timed to land mid-burst, and what was in flight at that
moment is recorded. Shared by the test suite (small) and `bench/bench_campaigns.py`."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from ledger.vocab import InboxState
from models import InboxUpdate
from models.db import make_engine, sqlite_path
from tests.campaigns.crash import NINE, RESTART_STEP, _entries, create_users, fake_now, wait_all
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout


@dataclass(frozen=True)
class KillPoint:
    """The moment of one SIGKILL: how much of its burst was stored, and what was in flight."""

    burst: int  # /report lines sent in this burst
    stored: int  # of them, entries committed when the bot died
    inbox_open: int  # updates stored in the inbox but not handled yet
    unacknowledged: int  # updates Telegram (the double) still held: not answered 200

    @property
    def mid_work(self) -> bool:
        return 0 < self.stored < self.burst and self.inbox_open + self.unacknowledged > 0


@dataclass
class WebhookCrashReport:
    kills: int
    sent: int
    stored_once: int
    lost: int
    doubled: int
    seconds: float
    kill_points: list[KillPoint] = field(default_factory=list)

    @property
    def kills_mid_work(self) -> int:
        return sum(point.mid_work for point in self.kill_points)


async def _inbox_open(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.state.in_([InboxState.PENDING, InboxState.PROCESSING]))
            )
    finally:
        await engine.dispose()
    return int(count or 0)


def _stored(harness: Harness, texts: list[str]) -> int:
    counts = _entries(harness)
    return sum(1 for text in texts if counts[text])


def _kill_mid_burst(harness: Harness, texts: list[str], target: int, timeout: float) -> KillPoint:
    """SIGKILL the bot as soon as `target` lines of the burst are stored.

    The bot stores a burst of 40 in well under 100 ms, so the check is one cheap query every
    5 ms (on SQLite a read-only connection that never takes the write lock)."""
    deadline = time.monotonic() + timeout
    with _StoredCounter(harness, texts) as stored:
        while stored() < target:
            if time.monotonic() > deadline:
                raise AssertionError(f"the burst did not progress:\n{harness.bot.log()[-3000:]}")
            time.sleep(0.005)
    harness.bot.kill()
    return KillPoint(
        burst=len(texts),
        stored=_stored(harness, texts),
        inbox_open=asyncio.run(_inbox_open(harness.db_url)),
        unacknowledged=len(harness.control.pending_updates()),
    )


class _StoredCounter:
    """How many of `texts` are stored, asked repeatedly over one connection."""

    def __init__(self, harness: Harness, texts: list[str]) -> None:
        self.harness, self.texts = harness, texts
        self.path = sqlite_path(harness.db_url)
        self.connection: sqlite3.Connection | None = None

    def __enter__(self) -> Callable[[], int]:
        if self.path is None:
            return lambda: _stored(self.harness, self.texts)  # PostgreSQL: readers never block
        self.connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        marks = ", ".join("?" for _ in self.texts)
        query = f"SELECT count(DISTINCT progress) FROM progress_entries WHERE progress IN ({marks})"
        connection = self.connection
        return lambda: int(connection.execute(query, self.texts).fetchone()[0])

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            self.connection.close()


def webhook_kill_campaign(
    harness: Harness, senders: int, messages: int, kills: int, seed: int = 13
) -> WebhookCrashReport:
    """`messages` /report lines from `senders` contacts, in `kills` bursts, each burst ended
    by a SIGKILL once a random part of it (at most half) is stored; then a bot that stays up."""
    rng, began = random.Random(seed), time.monotonic()
    users = seed_fanout(harness.db_url, units=senders)
    create_users(harness, users)
    harness.use_webhook()
    lines = [
        (users[i % senders], f"/report {i % senders + 1} 序时推进 钩子第{i}条")
        for i in range(messages)
    ]
    moment = NINE + timedelta(hours=2)
    per_burst = -(-len(lines) // kills)
    points: list[KillPoint] = []
    for start in range(0, len(lines), per_burst):
        burst = lines[start : start + per_burst]
        harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))
        for user, line in burst:
            harness.control.send_message(user, line)
        texts = [line.split(" ", 3)[3] for _, line in burst]
        target = rng.randint(1, max(len(burst) // 2, 1))
        points.append(_kill_mid_burst(harness, texts, target, timeout=60 + len(burst)))
        moment += RESTART_STEP
    harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))
    wanted = [line.split(" ", 3)[3] for _, line in lines]
    counts: Counter[str] = wait_all(harness, lambda: _entries(harness), wanted, 60 + messages / 5)
    harness.bot.stop()
    return WebhookCrashReport(
        kills=len(points),
        sent=len(wanted),
        stored_once=sum(1 for w in wanted if counts[w] == 1),
        lost=sum(1 for w in wanted if not counts[w]),
        doubled=sum(counts[w] - 1 for w in wanted if counts[w] > 1),
        seconds=time.monotonic() - began,
        kill_points=points,
    )
