"""Two replicas, one bot token: both `ledgerbot run` processes share one database and drain
one outbox against the double with its flood limits on. The double's own timestamps say
whether the bot as a whole kept Telegram's limits; the dispatching replica is SIGKILLed from
inside the double midway and the other must carry on. Shared by the test suite and
`bench/bench_campaigns.py`."""

from __future__ import annotations

import asyncio
import bisect
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models.db import make_engine, make_session_factory, transaction
from services import outbox
from services.outbox import NewMessage
from tests.e2e.harness import BotProcess, Harness

FIRST_USER = 710_000_000
LOCK_LINE = "holds the dispatch lock"


@dataclass
class ReplicaReport:
    rows: int
    delivered: int
    doubled: int
    possible_duplicates: int  # sends the outbox itself marks as of unknown outcome
    too_many_requests: int
    peak_per_second: int  # the most sends the double stamped within any one second
    takeover_seconds: float  # from the SIGKILL to the next send the double stamped
    leader_lines: dict[str, int]  # how often each replica logged taking the lock
    seconds: float


async def _seed_rows(url: str, users: list[int]) -> None:
    engine = make_engine(url)
    due = datetime.now(UTC) - timedelta(minutes=1)
    rows = [
        NewMessage("replica-drain", "drain", str(user), user, {"text": f"第{n}条"}, due)
        for n, user in enumerate(users)
    ]
    async with transaction(make_session_factory(engine)) as session:
        await outbox.enqueue_many(session, rows)
    await engine.dispose()


async def _possible_duplicates(url: str) -> int:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        count = await outbox.count_possible_duplicates(session)
    await engine.dispose()
    return count


def peak_per_second(stamps: list[float]) -> int:
    """The largest number of stamps inside any window [t, t + 1 s)."""
    ordered = sorted(stamps)
    return max((bisect.bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered)), default=0)


def _replica(harness: Harness, name: str, pace: float | None) -> BotProcess:
    """A replica in webhook mode on its own port (two pollers would fight over getUpdates);
    no update arrives in this campaign, the work is the outbox.

    The suite's campaign paces at `pace` = 25/s, not the default 28/s: the double runs in a
    thread of the test's process, whose other threads can hold it back for tens of milliseconds
    under the suite's load, and then it stamps several requests at once, as if they had been
    sent closer together. What the campaign proves (one budget for both replicas: two would
    send 50/s) does not need the default's thinner margin, which `bench/bench_fanout.py`
    measures against that jitter; `bench/bench_campaigns.py --only drain` keeps the default."""
    harness.use_webhook()
    env = harness.env()
    if pace is not None:
        env["LEDGERBOT_SEND_PER_SECOND"] = str(pace)
    replica = BotProcess(env, harness.workdir / f"{name}.log")
    replica.start(harness.control)
    return replica


def _wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def replica_campaign(
    harness: Harness, rows: int, kill_after: int, pace: float | None = None
) -> ReplicaReport:
    began = time.monotonic()
    users = [FIRST_USER + n for n in range(rows)]
    for user in users:
        harness.control.create_user(f"用户{user}", user_id=user)
    asyncio.run(_seed_rows(harness.db_url, users))
    harness.control.configure_flood(enabled=True)
    state = harness.tg.double.stats
    killed_at: list[float] = []
    first = _replica(harness, "replica-a", pace)
    _wait_for(lambda: LOCK_LINE in first.log(), 30, "the first replica to take the lock")
    second = _replica(harness, "replica-b", pace)
    try:

        def hook(method: str, message: dict) -> None:  # on the double's loop
            if not killed_at and sum(map(len, state.sends.values())) >= kill_after:
                assert first.process is not None
                os.kill(first.process.pid, signal.SIGKILL)
                killed_at.append(time.time())

        harness.tg.double.send_hooks.append(hook)
        try:
            _wait_for(lambda: bool(killed_at), 120, f"{kill_after} sends")
        finally:
            harness.tg.double.send_hooks.remove(hook)
        first.kill()
        _wait_for(lambda: all(state.sends.get(u) for u in users), 180, "every row to be delivered")
        harness.tg.wait_sends_done()
        stats = harness.control.stats()
    finally:
        first.kill()
        second.stop()
    counts = Counter({u: len(state.sends.get(u, [])) for u in users})
    stamps = [t for u in users for t in state.sends.get(u, [])]
    after_kill = [t for t in stamps if t > killed_at[0]]
    return ReplicaReport(
        rows=rows,
        delivered=sum(1 for u in users if counts[u]),
        doubled=sum(c - 1 for c in counts.values() if c > 1),
        possible_duplicates=asyncio.run(_possible_duplicates(harness.db_url)),
        too_many_requests=int(stats["too_many_requests"]),
        peak_per_second=peak_per_second(stamps),
        takeover_seconds=min(after_kill) - killed_at[0] if after_kill else float("inf"),
        leader_lines={
            "a": first.log().count(LOCK_LINE),
            "b": second.log().count(LOCK_LINE),
        },
        seconds=time.monotonic() - began,
    )
