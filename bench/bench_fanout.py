"""Fan-out benchmark: the dispatcher against the Bot API double, flood limits on and off.

Run: .venv/bin/python bench/bench_fanout.py [--contacts 1500] [--groups 50] [--per-group 21]

With limits ON it prints the achieved rate as a fraction of Telegram's 30 msg/s, the 429s
and the busiest group's messages per minute (``--per-group`` > 20 exercises the 20/min
rule). With limits OFF it compares the dispatcher (SQLite outbox, PTB) with a bare httpx
loop sending the same requests to the same double at the same concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import telegram
from telegram.request import HTTPXRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import schema
from models.db import make_engine, make_session_factory, transaction
from scheduler.dispatcher import Dispatcher, DispatchLimits
from scheduler.pacing import Limits
from services.outbox import NewMessage, enqueue_many
from tests.telegram_double import TelegramDouble, ThreadedDouble

USER0, GROUP0, CONCURRENCY = 100_000_001, -4_000_000_001, 32
TEXT = "<b>推进台账</b> 请于 7 日前填报 {n} 月进展情况。"


def now() -> datetime:
    return datetime.now(UTC)


def on_double(tg: ThreadedDouble, func: Any) -> Any:
    """Run ``func(double)`` on the double's own loop (its state is not thread-safe)."""

    async def call() -> Any:
        return func(tg.double)

    return asyncio.run_coroutine_threadsafe(call(), tg.loop).result(30)


def populate(double: TelegramDouble, contacts: int, groups: int, limits_on: bool) -> None:
    double.limiter.configure(enabled=limits_on)
    for n in range(contacts):
        double.state.add_user(f"U{n}", user_id=USER0 + n)
    for n in range(groups):
        double.state.add_group(f"G{n}", chat_id=GROUP0 - n)


def targets(contacts: int, groups: int, per_group: int) -> list[int]:
    private = [USER0 + n for n in range(contacts)]
    return private + [GROUP0 - g for g in range(groups) for _ in range(per_group)]


async def run_dispatcher(tg: ThreadedDouble, chats: list[int], pacing: Limits) -> float:
    """Enqueue one prompt per entry into a fresh SQLite outbox and drain it; seconds taken."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{folder}/outbox.db")
        await schema.upgrade(engine)
        factory = make_session_factory(engine)
        rows = [
            NewMessage(
                "prompt",
                "2023-03",
                f"r{n}",
                chat,
                {"text": TEXT.format(n=3), "parse_mode": "HTML", "reply_markup": None},
                now(),
            )
            for n, chat in enumerate(chats)
        ]
        async with transaction(factory) as session:
            await enqueue_many(session, rows)
        request = HTTPXRequest(connection_pool_size=CONCURRENCY)
        async with telegram.Bot(tg.token, base_url=tg.base_url, request=request) as bot:
            limits = DispatchLimits(pacing=pacing, concurrency=CONCURRENCY)
            dispatcher = Dispatcher(factory, bot, worker_id="bench", clock_now=now, limits=limits)
            started = time.perf_counter()
            await dispatcher.start()
            drained = await dispatcher.drain(600)
            elapsed = time.perf_counter() - started
            await dispatcher.stop()
        await engine.dispose()
    if not drained:
        raise SystemExit("the outbox did not drain within 10 minutes")
    return elapsed


async def run_bare(tg: ThreadedDouble, chats: list[int]) -> float:
    """The same sendMessage requests from a plain httpx client; seconds taken."""
    slots = asyncio.Semaphore(CONCURRENCY)
    url = f"{tg.base_url}{tg.token}/sendMessage"
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits) as client:

        async def send(chat: int) -> None:
            async with slots:
                body = {"chat_id": chat, "text": TEXT.format(n=3), "parse_mode": "HTML"}
                (await client.post(url, json=body)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(send(chat) for chat in chats))
        return time.perf_counter() - started


def most_within(stamps: list[float], seconds: float) -> int:
    """The most sends in any window of ``seconds`` (two pointers over sorted stamps)."""
    ordered, best, first = sorted(stamps), 0, 0
    for last, stamp in enumerate(ordered):
        while ordered[first] <= stamp - seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


def limits_on(args: argparse.Namespace) -> None:
    tg = TelegramDouble.start_in_thread(flood_limits=True)
    try:
        on_double(tg, lambda d: populate(d, args.contacts, args.groups, limits_on=True))
        chats = targets(args.contacts, args.groups, args.per_group)
        elapsed = asyncio.run(run_dispatcher(tg, chats, Limits()))
        stats = on_double(tg, lambda d: d.stats.as_dict())
    finally:
        tg.stop()
    stamps = [t for times in stats["sends"].values() for t in times]
    rate = len(stamps) / (max(stamps) - min(stamps))
    groups = [times for chat, times in stats["sends"].items() if int(chat) < 0]
    print(
        f"limits ON : {len(stamps)} messages ({args.contacts} private, {args.groups} groups "
        f"x {args.per_group}) in {elapsed:.1f} s"
    )
    steady = most_within(stamps, 10.0) / 10.0
    print(f"  achieved {rate:.2f} msg/s = {rate / 30:.3f} of 30 msg/s overall (first to last)")
    print(
        f"  busiest 10 s: {steady:.2f} msg/s = {steady / 30:.3f} of 30; busiest second: "
        f"{most_within(stamps, 1.0)} messages"
    )
    print(f"  429 answers: {stats['too_many_requests']}")
    print(f"  busiest group: {max(most_within(g, 60.0) for g in groups)} messages in a minute")


def limits_off(args: argparse.Namespace) -> None:
    tg = TelegramDouble.start_in_thread(flood_limits=False)
    try:
        on_double(tg, lambda d: populate(d, args.contacts, 0, limits_on=False))
        chats = targets(args.contacts, 0, 0)
        unpaced = Limits(global_per_second=1_000_000, private_per_second=1_000_000)
        dispatched = asyncio.run(run_dispatcher(tg, chats, unpaced))
        bare = asyncio.run(run_bare(tg, chats))
    finally:
        tg.stop()
    n = len(chats)
    print(f"limits OFF: {n} messages, concurrency {CONCURRENCY}")
    print(
        f"  dispatcher {n / dispatched:7.1f} msg/s, bare httpx {n / bare:7.1f} msg/s, "
        f"ratio {bare / dispatched:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1500)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--per-group", type=int, default=21)
    args = parser.parse_args()
    limits_on(args)
    limits_off(args)


if __name__ == "__main__":
    main()
