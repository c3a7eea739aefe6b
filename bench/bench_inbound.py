"""Inbound benchmark: `/report N 序时推进 …` messages through the real `ledgerbot run` process,
by long polling and by webhook, on SQLite.

Run: .venv/bin/python bench/bench_inbound.py [--units 200] [--contacts-per-unit 5]
     [--burst 3000] [--paced-seconds 10] [--paced-rate 0] [--modes polling,webhook]
     [--profile DIR] [--keep DIR]

World: a fresh migrated SQLite file; ``--units`` units each leading one task of the 2023 plan,
``--contacts-per-unit`` bound contacts each (1,000 by default); the bot's clock is
2023-04-03 10:00 (collecting the 2023-03 ledger; no scheduled event is due, so the outbox stays
idle). The Bot API double runs as its own process with flood limits off (the bot answers every
report, and 30 msg/s would otherwise cap the answers); the bot is ``python -m ledgerbot run``
as in production, polling, or with ``LEDGERBOT_WEBHOOK_URL`` / ``_SECRET`` and
``LEDGERBOT_WEB_LISTEN`` / ``_PORT`` on 127.0.0.1. Each message is a contact's
``/report <their task> 序时推进 <text>`` and stores exactly one progress entry (a new version
of the unit's entry).

Method — a report counts as stored when its row is committed: a watcher thread of this script
reads the new ``progress_entries`` rows of the bot's SQLite file every 5 ms (WAL: readers never
block the bot) and stamps each with ``time.time()`` (same host clock as this script). So for each
injected message: latency = the moment its row was seen − the moment just before this script
posted the message to the double's control API (an upper bound of message → committed row: it
adds the double queueing the update and up to 5 ms of the watcher's interval). Messages of one
chat are handled in order, so the k-th entry of a chat stores its k-th message. Confirmations
are not the measure: the bot's outbox paces what it sends at ``LEDGERBOT_SEND_PER_SECOND``
(≤ 30/s, Telegram's limit), so they trail the stored reports; the run still waits for all of
them before reading the bot's CPU time, which therefore includes sending them. At the end the
number of ProgressEntry rows is checked against the messages sent.

1. Burst: ``--burst`` messages posted as fast as the double accepts them (16 concurrent
   posters). Entries/s = messages / (last row seen − first post) (goal ≥ 500/s).
   Latencies here are mostly queueing behind the backlog and are printed for information.
2. Paced: messages at a steady ``--paced-rate`` per second (default: half the burst rate, so
   the bot is not saturated) for ``--paced-seconds``: p50/p99 latency (goal p99 ≤ 50 ms).

Also: the bot process's peak RSS (VmHWM) after both phases (goal ≤ 200 MB), and, with
``--profile DIR``, a py-spy profile of the bot during the run (py-spy must be installed in
.venv: ``.venv/bin/pip install py-spy``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    DoubleProcess,
    cpu_seconds,
    env_without_ledgerbot,
    free_port,
    machine,
    peak_rss_mb,
    percentile,
    py_spy,
)
from models import ProgressEntry, schema
from models.db import make_engine
from tests.e2e.harness import BotProcess
from tests.e2e.seed import seed_fanout

USER0 = 300_000_001
FAKE_NOW = "2023-04-03T10:00:00+08:00"
POSTERS = 16
SECRET = "bench-secret-token"


@dataclass
class Sent:
    """Post times per chat, in order; phase of each."""

    times: dict[int, list[float]] = field(default_factory=dict)
    phases: dict[int, list[str]] = field(default_factory=dict)

    def add(self, chat: int, at: float, phase: str) -> None:
        self.times.setdefault(chat, []).append(at)
        self.phases.setdefault(chat, []).append(phase)


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    await schema.upgrade(engine)
    await engine.dispose()


async def _count_entries(url: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as conn:
        count = int((await conn.scalar(select(func.count()).select_from(ProgressEntry))) or 0)
    await engine.dispose()
    return count


class Injector:
    """Posts users' messages to the double's control API and remembers when."""

    def __init__(self, url: str, users: list[int], units: int, per_unit: int) -> None:
        self.http = httpx.AsyncClient(
            base_url=f"{url}/_control", limits=httpx.Limits(max_connections=POSTERS * 2)
        )
        self.users, self.per_unit = users, per_unit
        self.sent = Sent()
        self.counter = 0

    def task_of(self, user: int) -> int:
        return (user - USER0) // self.per_unit + 1  # seed_fanout: unit n leads task n

    async def post(self, user: int, phase: str) -> None:
        self.counter += 1
        text = f"/report {self.task_of(user)} 序时推进 第{self.counter}次填报：路基工程完成70%"
        at = time.time()
        response = await self.http.post("/messages", json={"user_id": user, "text": text})
        response.raise_for_status()
        self.sent.add(user, at, phase)

    async def burst(self, count: int, phase: str) -> float:
        """``count`` messages as fast as possible; each poster owns a fixed set of users, so a
        user's messages are posted in order. Returns the seconds posting took."""
        started = time.perf_counter()

        async def poster(w: int) -> None:
            mine = self.users[w::POSTERS]
            for i in range(w, count, POSTERS):
                await self.post(mine[(i // POSTERS) % len(mine)], phase)

        await asyncio.gather(*(poster(w) for w in range(POSTERS)))
        return time.perf_counter() - started

    async def paced(self, rate: float, seconds: float, phase: str, offset: int) -> None:
        """One message every 1/rate s, each from the next user (a user's messages are far
        apart: a chat never has two in flight unless the bot falls behind)."""
        loop = asyncio.get_running_loop()
        start, tasks = loop.time(), []
        for i in range(int(rate * seconds)):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            user = self.users[(offset + i) % len(self.users)]
            tasks.append(asyncio.create_task(self.post(user, phase)))
        await asyncio.gather(*tasks)

    async def aclose(self) -> None:
        await self.http.aclose()


class StoreWatcher(threading.Thread):
    """Stamps each progress entry when its row is first seen in the database file."""

    def __init__(self, db: Path, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.db, self.interval = db, interval
        self.stamps: dict[str, list[float]] = {}
        self.count = 0
        self._halt = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        last = 0
        try:
            while not self._halt.is_set():
                rows = connection.execute(
                    "SELECT id, chat_id FROM progress_entries WHERE id > ? ORDER BY id", (last,)
                ).fetchall()
                now = time.time()
                for row_id, chat_id in rows:
                    self.stamps.setdefault(str(chat_id), []).append(now)
                    last = row_id
                self.count += len(rows)
                time.sleep(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self._halt.set()
        self.join()


async def wait_stored(watcher: StoreWatcher, expected: int, budget: float) -> dict[str, list]:
    """Wait until ``expected`` entries are stored; return when each was seen, per chat."""
    deadline = time.monotonic() + budget
    while watcher.count < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {watcher.count}/{expected} entries within {budget:.0f} s")
        await asyncio.sleep(0.05)
    return {chat: list(stamps) for chat, stamps in watcher.stamps.items()}


async def wait_confirmations(injector: Injector, expected: int, budget: float) -> dict[str, list]:
    """Wait until the bot has sent ``expected`` messages in private chats; return the stamps."""
    deadline = time.monotonic() + budget
    while True:
        sends = (await injector.http.get("/stats")).json()["result"]["sends"]
        done = sum(len(v) for k, v in sends.items() if int(k) > 0)
        if done >= expected:
            return dict(sends)
        if time.monotonic() > deadline:
            raise SystemExit(f"only {done}/{expected} confirmations within {budget:.0f} s")
        await asyncio.sleep(0.2)


@dataclass
class Phases:
    posting: float = 0.0
    rate: float = 0.0
    burst_ms: list[float] = field(default_factory=list)
    paced_rate: float = 0.0
    paced_ms: list[float] = field(default_factory=list)
    total: int = 0


async def drive(injector: Injector, watcher: StoreWatcher, args: argparse.Namespace) -> Phases:
    """Warm-up, burst, then paced phase; all in one event loop (one HTTP client)."""
    out = Phases()
    try:
        warm = min(50, len(injector.users))
        await injector.burst(warm, "warm-up")
        out.total += warm
        await wait_confirmations(injector, out.total, 60)

        out.posting = await injector.burst(args.burst, "burst")
        out.total += args.burst
        stored = await wait_stored(watcher, out.total, args.timeout)
        first, last, n = first_last(injector.sent, stored, "burst")
        out.rate = n / (last - first)
        out.burst_ms = latencies(injector.sent, stored, "burst")
        await wait_confirmations(injector, out.total, args.timeout)  # a quiet start for paced

        out.paced_rate = args.paced_rate or max(10.0, round(out.rate / 2))
        await injector.paced(out.paced_rate, args.paced_seconds, "paced", args.burst)
        out.total += int(out.paced_rate * args.paced_seconds)
        stored = await wait_stored(watcher, out.total, args.timeout)
        out.paced_ms = latencies(injector.sent, stored, "paced")
        await wait_confirmations(injector, out.total, args.timeout)  # their sending is CPU too
    finally:
        await injector.aclose()
    return out


def latencies(sent: Sent, sends: dict[str, list], phase: str) -> list[float]:
    """When the row was seen − post time, in ms, for the messages of ``phase``."""
    result = []
    for chat, posted in sent.times.items():
        stamps = sorted(sends.get(str(chat), []))
        for at, stamp, ph in zip(posted, stamps, sent.phases[chat], strict=True):
            if ph == phase:
                result.append((stamp - at) * 1000)
    return result


def first_last(sent: Sent, sends: dict[str, list], phase: str) -> tuple[float, float, int]:
    firsts, lasts, n = [], [], 0
    for chat, posted in sent.times.items():
        stamps = sorted(sends.get(str(chat), []))
        for at, stamp, ph in zip(posted, stamps, sent.phases[chat], strict=True):
            if ph == phase:
                firsts.append(at)
                lasts.append(stamp)
                n += 1
    return min(firsts), max(lasts), n


def bot_env(double: DoubleProcess, db_url: str, mode: str) -> tuple[dict[str, str], int | None]:
    env = env_without_ledgerbot()
    env.update(
        LEDGERBOT_TELEGRAM_TOKEN=double.token,
        LEDGERBOT_TELEGRAM_BASE_URL=double.base_url,
        LEDGERBOT_DATABASE_URL=db_url,
        LEDGERBOT_FAKE_NOW=FAKE_NOW,
        LEDGERBOT_POLLING_TIMEOUT="1",
    )
    if mode != "webhook":
        env["LEDGERBOT_WEB_PORT"] = "0"  # no web server: nothing to collide on
        return env, None
    port = free_port()
    env.update(
        LEDGERBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        LEDGERBOT_WEB_LISTEN="127.0.0.1",
        LEDGERBOT_WEB_PORT=str(port),
        LEDGERBOT_WEBHOOK_SECRET=SECRET,
    )
    return env, port


def run_mode(mode: str, args: argparse.Namespace, folder: Path, template: Path) -> None:
    db = folder / f"{mode}.db"
    shutil.copy(template, db)
    db_url = f"sqlite+aiosqlite:///{db}"
    users = [USER0 + n for n in range(args.units * args.contacts_per_unit)]
    with DoubleProcess(flood_limits=False, log=folder / f"double-{mode}.log") as double:
        for user in users:
            double.control.create_user(f"填报人{user}", user_id=user)
        env, _ = bot_env(double, db_url, mode)
        bot = BotProcess(env, folder / f"bot-{mode}.log")
        bot.start(double.control)
        assert bot.process is not None
        out = Path(args.profile) / f"inbound-{mode}.txt" if args.profile else None
        spy = py_spy(bot.process.pid, out) if out else None
        injector = Injector(double.url, users, args.units, args.contacts_per_unit)
        watcher = StoreWatcher(db)
        watcher.start()
        try:
            out = asyncio.run(drive(injector, watcher, args))
            rss = peak_rss_mb(bot.process.pid)
            cpu = cpu_seconds(bot.process.pid)
        finally:
            watcher.stop()
            if spy is not None:
                spy.send_signal(2)
                spy.wait(60)
            code = bot.stop()
        stored = asyncio.run(_count_entries(db_url))
    total, rate, burst_ms, paced_ms = out.total, out.rate, out.burst_ms, out.paced_ms
    print(f"{mode}: exit {code}; {stored} progress entries stored for {total} messages")
    print(
        f"  burst of {args.burst}: posted in {out.posting:.2f} s "
        f"({args.burst / out.posting:.0f}/s), "
        f"stored {rate:.0f} entries/s = {rate / 500:.2f} of the 500/s goal; "
        f"latency p50 {percentile(burst_ms, 0.5):.0f} ms, p99 {percentile(burst_ms, 0.99):.0f} "
        f"ms (queueing)"
    )
    p50, p99 = percentile(paced_ms, 0.5), percentile(paced_ms, 0.99)
    print(
        f"  paced {out.paced_rate:.0f}/s for {args.paced_seconds:.0f} s "
        f"({len(paced_ms)} messages): "
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms = {p99 / 50:.2f} of the 50 ms goal, "
        f"max {max(paced_ms):.1f} ms"
    )
    print(f"  bot peak RSS (VmHWM): {rss:.0f} MiB = {rss / 200:.2f} of the 200 MB goal")
    print(f"  bot CPU: {cpu:.1f} s in all, {cpu / total * 1000:.1f} ms per message (load-proof)")
    if stored != total:
        print(f"  WARNING: {total - stored} messages did not store an entry; see the bot log")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--contacts-per-unit", type=int, default=5)
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--paced-rate", type=float, default=0.0, help="0: half the burst rate")
    parser.add_argument("--paced-seconds", type=float, default=10.0)
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--profile", help="folder for py-spy flame graphs of the bot")
    parser.add_argument("--keep", help="work in this folder and keep it (databases, logs)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with contextlib.ExitStack() as stack:
        if args.keep:
            folder = Path(args.keep)
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        template = folder / "template.db"
        url = f"sqlite+aiosqlite:///{template}"
        asyncio.run(_migrate(url))
        seed_fanout(url, args.units, args.contacts_per_unit, first_user=USER0)
        for mode in args.modes.split(","):
            run_mode(mode.strip(), args, folder, template)


if __name__ == "__main__":
    main()
