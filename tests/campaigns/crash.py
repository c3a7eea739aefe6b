"""SIGKILL campaigns: kill the real bot at random moments of a fan-out or of an inbound burst,
restart it, and count what was lost or doubled. Shared by the test suite (small) and
`bench/bench_campaigns.py` (full size)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from models import OutboxMessage, ProgressEntry
from models.db import make_engine
from services.outbox import possible_duplicates
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout

PROMPT = "2023-03 推进台账"
NINE = datetime.fromisoformat("2023-04-03T09:00:00+08:00")
# Each restart puts the clock a lease (30 s) further on, as a real restart after a crash would
# be: rows the killed process held are reclaimed at once (and counted as possible duplicates).
RESTART_STEP = timedelta(seconds=31)


@dataclass
class CrashReport:
    kills: int
    expected: int
    delivered: int
    lost: int
    doubled: int
    possible_duplicates: int
    seconds: float


def fake_now(moment: datetime) -> str:
    return moment.isoformat()


async def _outbox_duplicates(url: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as connection:
        errors = (await connection.scalars(select(OutboxMessage.last_error))).all()
    await engine.dispose()
    return sum(possible_duplicates(e) for e in errors)


def outbox_duplicates(harness: Harness) -> int:
    return asyncio.run(_outbox_duplicates(harness.db_url))


def prompt_counts(harness: Harness, users: list[int]) -> Counter[int]:
    return Counter(
        {u: sum(PROMPT in (m.get("text") or "") for m in harness.bot_messages(u)) for u in users}
    )


def create_users(harness: Harness, users: list[int]) -> None:
    for user in users:
        harness.control.create_user(f"填报人{user}", user_id=user)


def kill_at_random(harness: Harness, rng: random.Random, moment: datetime, most: float) -> None:
    """Start the bot with its clock at `moment` and SIGKILL it 0–`most` seconds later."""
    harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))
    time.sleep(rng.uniform(0.0, most))
    harness.bot.kill()


def fanout_campaign(harness: Harness, units: int, kills: int, seed: int = 7) -> CrashReport:
    """`kills` SIGKILLs during the 09:00 fan-out to `units` contacts, then a last clean run."""
    rng, began = random.Random(seed), time.monotonic()
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    moment = NINE - timedelta(seconds=1)
    for _ in range(kills):
        kill_at_random(harness, rng, moment, most=2.5)
        moment += RESTART_STEP
    harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))
    counts = wait_all(harness, lambda: prompt_counts(harness, users), users, timeout=60 + units)
    harness.bot.stop()
    return CrashReport(
        kills=kills,
        expected=len(users),
        delivered=sum(1 for u in users if counts[u]),
        lost=sum(1 for u in users if not counts[u]),
        doubled=sum(c - 1 for c in counts.values() if c > 1),
        possible_duplicates=outbox_duplicates(harness),
        seconds=time.monotonic() - began,
    )


def wait_all(harness: Harness, count: object, keys: list, timeout: float) -> Counter:
    deadline = time.monotonic() + timeout
    while True:
        counts: Counter = count()  # type: ignore[operator]
        if all(counts[k] >= 1 for k in keys) or time.monotonic() > deadline:
            return counts
        time.sleep(0.3)


async def _entry_texts(url: str) -> Counter[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        texts = (await connection.scalars(select(ProgressEntry.progress))).all()
    await engine.dispose()
    return Counter(t for t in texts if t)


def inbound_campaign(
    harness: Harness, senders: int, messages: int, kills: int, seed: int = 11
) -> CrashReport:
    """`messages` /report lines from `senders` contacts, sent in bursts while the bot is
    SIGKILLed `kills` times: each line must end up as exactly one entry."""
    rng, began = random.Random(seed), time.monotonic()
    users = seed_fanout(harness.db_url, units=senders)
    create_users(harness, users)
    lines = [
        (users[i % senders], f"/report {i % senders + 1} 序时推进 第{i}条") for i in range(messages)
    ]
    moment = NINE + timedelta(hours=2)
    per_burst = -(-len(lines) // kills)
    for start in range(0, len(lines), per_burst):  # a burst, then a SIGKILL
        harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))
        for user, line in lines[start : start + per_burst]:
            harness.control.send_message(user, line)
        time.sleep(rng.uniform(0.0, 0.6))
        harness.bot.kill()
        moment += RESTART_STEP
    harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))  # and a bot that stays up
    wanted = [line.split(" ", 3)[3] for _, line in lines]
    counts = wait_all(harness, lambda: _entries(harness), wanted, timeout=60 + messages / 5)
    harness.bot.stop()
    return CrashReport(
        kills=kills,
        expected=len(wanted),
        delivered=sum(1 for w in wanted if counts[w]),
        lost=sum(1 for w in wanted if not counts[w]),
        doubled=sum(counts[w] - 1 for w in wanted if counts[w] > 1),
        possible_duplicates=0,
        seconds=time.monotonic() - began,
    )


def _entries(harness: Harness) -> Counter[str]:
    return asyncio.run(_entry_texts(harness.db_url))
