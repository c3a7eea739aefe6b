"""SIGKILL campaigns: kill the real bot in the middle of a fan-out or of an inbound burst (from
inside the double, after a random number of its sends), restart it, and count what was lost
or doubled from what the double received. Shared by the test suite (small) and
`bench/bench_campaigns.py` (full size)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from models import ProgressEntry
from models.db import make_engine
from tests.e2e.accounting import Tally
from tests.e2e.harness import Harness, Message, _open_rows
from tests.e2e.seed import seed_fanout
from tests.telegram_double.state import StoredMessage

PROMPT = "2023-03 推进台账"
NINE = datetime.fromisoformat("2023-04-03T09:00:00+08:00")
# Each restart puts the clock a lease (30 s) further on, as a real restart after a crash would
# be: rows the killed process held are reclaimed at once (and sent again).
RESTART_STEP = timedelta(seconds=31)


@dataclass
class Kill:
    """One SIGKILL: the work that run did before the bot died (counted at the double), and
    the work still left at that moment."""

    done: int
    left: int

    @property
    def mid_work(self) -> bool:
        return self.done > 0 and self.left > 0


@dataclass
class CrashReport:
    kills: list[Kill]
    expected: int
    delivered: int
    lost: int
    doubled: int
    excused: int  # duplicates explained by an outcome a kill left ambiguous
    unexcused: dict[tuple[int, str], int]
    seconds: float

    @property
    def kills_mid_work(self) -> int:
        return sum(k.mid_work for k in self.kills)


def fake_now(moment: datetime) -> str:
    return moment.isoformat()


def is_prompt(message: Message) -> bool:
    return PROMPT in (message.get("text") or "")


def prompt_counts(harness: Harness, users: list[int]) -> Counter[int]:
    return Counter(
        {u: sum(PROMPT in (m.get("text") or "") for m in harness.bot_messages(u)) for u in users}
    )


def create_users(harness: Harness, users: list[int]) -> None:
    for user in users:
        harness.control.create_user(f"填报人{user}", user_id=user)


def fanout_campaign(harness: Harness, units: int, kills: int, seed: int = 7) -> CrashReport:
    """`kills` SIGKILLs during the 09:00 fan-out to `units` contacts, then a last clean run.
    Each kill lands once a random number of contacts got their first prompt in that run,
    chosen so that work is always left for the next one; each is checked to be mid-work."""
    rng, began = random.Random(seed), time.monotonic()
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    tally = Tally(Counter({(user, "prompt"): 1 for user in users}))
    state = harness.tg.double.state

    def first_prompt(message: Message) -> bool:  # runs on the double's loop: reads its state
        chat = message["chat"]["id"]
        return is_prompt(message) and sum(map(is_stored_prompt, state.messages[chat].values())) == 1

    moment, done = NINE - timedelta(seconds=1), []
    for left in range(kills, 0, -1):
        before = sum(1 for c in prompt_counts(harness, users).values() if c)
        after = rng.randint(1, max(1, (units - before) // (left + 1)))
        harness.run_until_killed(after, first_prompt, LEDGERBOT_FAKE_NOW=fake_now(moment))
        tally.after_kill(harness)
        at_kill = sum(1 for c in prompt_counts(harness, users).values() if c)
        done.append(Kill(done=at_kill - before, left=units - at_kill))
        moment += RESTART_STEP
    harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))
    counts = wait_all(harness, lambda: prompt_counts(harness, users), users, timeout=60 + units)
    harness.bot.stop()
    verdict = tally.verdict(harness)
    return CrashReport(
        kills=done,
        expected=len(users),
        delivered=sum(1 for u in users if counts[u]),
        lost=len(verdict.lost),
        doubled=verdict.doubled,
        excused=verdict.excused,
        unexcused=verdict.unexcused,
        seconds=time.monotonic() - began,
    )


def is_stored_prompt(message: StoredMessage) -> bool:
    return PROMPT in (message.fields.get("text") or "")


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


def answers(harness: Harness, users: list[int]) -> int:
    """The bot's messages in the senders' chats: one per /report line it handled."""
    return sum(len(harness.bot_messages(user)) for user in users)


def inbound_campaign(
    harness: Harness, senders: int, messages: int, kills: int, seed: int = 11
) -> CrashReport:
    """`messages` /report lines from `senders` contacts in `kills` bursts. Each burst waits at
    the double; the bot starts and is SIGKILLed once it has answered a random number of lines
    (at most half the burst; lines it had not confirmed before a kill come again first), so
    every kill lands while lines wait: each line must end up as exactly one entry."""
    rng, began = random.Random(seed), time.monotonic()
    users = seed_fanout(harness.db_url, units=senders)
    create_users(harness, users)
    lines = [
        (users[i % senders], f"/report {i % senders + 1} 序时推进 第{i}条") for i in range(messages)
    ]
    moment, done = NINE + timedelta(hours=2), []
    per_burst = -(-len(lines) // kills)
    for start in range(0, len(lines), per_burst):
        burst = lines[start : start + per_burst]
        for user, line in burst:
            harness.control.send_message(user, line)
        before = answers(harness, users)
        after = rng.randint(1, max(1, len(burst) // 2))
        harness.run_until_killed(after, lambda m: True, LEDGERBOT_FAKE_NOW=fake_now(moment))
        stored = sum(_entries(harness).values())  # lines delivered again after a kill count once
        # Work left: lines not stored yet, and confirmations of stored ones not yet sent (they
        # are outbox rows committed with their entries, so storing may run ahead of them).
        left = start + len(burst) - stored + asyncio.run(_open_rows(harness.db_url))
        done.append(Kill(done=answers(harness, users) - before, left=left))
        moment += RESTART_STEP
    harness.start(LEDGERBOT_FAKE_NOW=fake_now(moment))  # and a bot that stays up
    wanted = [line.split(" ", 3)[3] for _, line in lines]
    counts = wait_all(harness, lambda: _entries(harness), wanted, timeout=60 + messages / 5)
    harness.bot.stop()
    return CrashReport(
        kills=done,
        expected=len(wanted),
        delivered=sum(1 for w in wanted if counts[w]),
        lost=sum(1 for w in wanted if not counts[w]),
        doubled=sum(counts[w] - 1 for w in wanted if counts[w] > 1),
        excused=0,
        unexcused={},
        seconds=time.monotonic() - began,
    )


def _entries(harness: Harness) -> Counter[str]:
    return asyncio.run(_entry_texts(harness.db_url))
