"""Fan-out benchmark: the real prompt path (``ledger-prompts`` job + ``Dispatcher``) against the
Bot API double, with Telegram's flood limits on and off.

Run: .venv/bin/python bench/bench_fanout.py [--units 300] [--contacts-per-unit 5] [--groups 50]
     [--per-group 21] [--rounds 2] [--skip-on | --skip-off] [--per-second 28] [--catch-up 0.5]
     [--replicas 2 --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

World: a fresh SQLite database (migrated) with ``--units`` units, each leading one task of the
2023 plan and having ``--contacts-per-unit`` bound contacts (1,500 by default), plus
``--groups`` group chats. The double runs as its own process
(``python -m tests.telegram_double --flood-limits``) on 127.0.0.1, so the dispatcher's process
is measured on its own, like the bot's.

1. Limits ON (≈30 msg/s overall, 1/s per private chat, 20/min per group; 429 with
   retry_after). ``scheduler.jobs.fire(LEDGER_PROMPTS, "2023-03")`` queues one prompt per
   contact exactly as the bot's scheduler does; ``--per-group`` group messages per group are
   queued next to them (``--per-group`` > 20 exercises the 20/min rule); the real
   ``Dispatcher`` with its default ``DispatchLimits`` drains the outbox. The double stamps every
   accepted send; from those stamps: the achieved rate (sends / (last − first)) as a fraction
   of 30 msg/s, the busiest 10 s, the number of 429 answers, and the most messages any group
   got within 60 s. Also the peak RSS (VmHWM) of this process over the fan-out.
2. Limits OFF: the same prompt fan-out (private chats only) with the dispatcher's pacing
   raised to 10^6/s (its default pacing deliberately holds ~28/s), against a bare httpx loop
   posting the same sendMessage bodies (text, HTML, inline keyboard) to the same double with
   the same concurrency (32). ``--rounds`` alternating rounds; the ratio is
   bot throughput / bare throughput over all rounds (goal ≥ 0.9).
3. ``--replicas N --postgres URL`` (instead of 1 and 2): the same limits-on fan-out in a fresh
   PostgreSQL database on that server, drained by N dispatcher processes with the real
   dispatch lock (``bench/_fanout.py``): the combined first-to-last rate, its ratio
   to 30 and to 0.9 × 30, the busiest second, the 429 answers and each replica's share.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import telegram
from sqlalchemy import select
from telegram.request import HTTPXRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import DoubleProcess, machine, peak_rss_mb, percentile, reset_peak_rss
from bench._fanout import (
    GROUP0,
    WireLog,
    most_within,
    on_limits,
    queue_rows,
    replicas_on,
)
from models import OutboxMessage, schema
from models.db import make_engine, make_session_factory
from scheduler.dispatcher import Dispatcher, DispatchLimits
from scheduler.pacing import Limits
from scheduler.sending import request_hooks
from tests.e2e.seed import seed_fanout

USER0, CONCURRENCY, CEILING = 100_000_001, 32, 30.0


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class World:
    users: list[int]
    groups: list[int]
    template: Path  # a seeded, migrated SQLite file; each run works on a copy


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    await schema.upgrade(engine)
    await engine.dispose()


def build_world(folder: Path, args: argparse.Namespace) -> World:
    template = folder / "template.db"
    url = f"sqlite+aiosqlite:///{template}"
    asyncio.run(_migrate(url))
    users = seed_fanout(url, args.units, args.contacts_per_unit, first_user=USER0)
    groups = [GROUP0 - n for n in range(args.groups)]
    return World(users, groups, template)


def populate(double: DoubleProcess, world: World) -> None:
    """Users who started the bot, and groups the bot is a member of."""
    for user in world.users:
        double.control.create_user(f"U{user}", user_id=user)
    for n, chat in enumerate(world.groups):
        double.control.create_group(f"G{n}", chat_id=chat)


@dataclass(frozen=True)
class Fanout:
    queued: int
    seconds: float  # fire + drain
    fire_seconds: float  # the job alone (queries + rendering + inserts)
    cpu_seconds: float  # CPU time of this process over fire + drain
    payloads: list[dict[str, Any]]  # what was queued, for the bare loop to replay
    rss_mb: float


async def fanout(
    double: DoubleProcess, world: World, db: Path, limits: DispatchLimits, per_group: int,
    wire: WireLog | None = None,
) -> Fanout:  # fmt: skip
    """Fire the prompts job (plus group messages), then let the Dispatcher drain the outbox."""
    shutil.copy(world.template, db)
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    factory = make_session_factory(engine)
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    queued, fired = await queue_rows(factory, world.groups, per_group)
    hooks = wire.hooks() if wire else request_hooks()
    request = HTTPXRequest(connection_pool_size=CONCURRENCY, httpx_kwargs=hooks)
    async with telegram.Bot(double.token, base_url=double.base_url, request=request) as bot:
        dispatcher = Dispatcher(factory, bot, worker_id="bench", clock_now=now, limits=limits)
        await dispatcher.start()
        drained = await dispatcher.drain(600)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        await dispatcher.stop()
    rss = peak_rss_mb()
    async with factory() as session:
        rows = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.payload))).all()
    await engine.dispose()
    if not drained:
        raise SystemExit("the outbox did not drain within 10 minutes")
    payloads = [{"chat_id": chat, **payload} for chat, payload in rows]
    return Fanout(queued, seconds, fired, cpu, payloads, rss)


def body_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The sendMessage body PTB sends for an outbox payload (None fields left out)."""
    body = {k: payload[k] for k in ("chat_id", "text", "parse_mode") if payload.get(k)}
    if payload.get("reply_markup"):
        body["reply_markup"] = json.dumps(payload["reply_markup"], ensure_ascii=False)
    return body


async def bare(double: DoubleProcess, payloads: list[dict[str, Any]]) -> tuple[float, float]:
    """The same sendMessage requests from a plain httpx client; (seconds, CPU seconds)."""
    slots = asyncio.Semaphore(CONCURRENCY)
    url = f"{double.base_url}{double.token}/sendMessage"
    bodies = [body_of(p) for p in payloads]
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits) as client:

        async def send(body: dict[str, Any]) -> None:
            async with slots:
                (await client.post(url, data=body)).raise_for_status()

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(send(body) for body in bodies))
        return time.perf_counter() - started, time.process_time() - cpu


def limits_on(args: argparse.Namespace, world: World, folder: Path) -> None:
    with DoubleProcess(flood_limits=True, log=folder / "double-on.log") as double:
        populate(double, world)
        wire = WireLog()
        result = asyncio.run(
            fanout(double, world, folder / "on.db", on_limits(args), args.per_group, wire)
        )
        stats = double.control.stats()
    stamps = [t for times in stats["sends"].values() for t in times]
    groups = [times for chat, times in stats["sends"].items() if int(chat) < 0]
    rate = len(stamps) / (max(stamps) - min(stamps))
    steady = most_within(stamps, 10.0) / 10.0
    busiest_group = max(most_within(g, 60.0) for g in groups) if groups else 0
    print(
        f"limits ON : {result.queued} rows queued ({len(world.users)} prompts to contacts of "
        f"{args.units} units + {len(world.groups)} groups x {args.per_group}), "
        f"{len(stamps)} delivered in {result.seconds:.1f} s (fire + drain)"
    )
    print(
        f"  achieved {rate:.2f} msg/s = {rate / CEILING:.3f} of the 30 msg/s ceiling "
        f"(first to last send; goal >= 0.95)"
    )
    print(
        f"  busiest 10 s: {steady:.2f} msg/s = {steady / CEILING:.3f} of 30; busiest second: "
        f"{most_within(stamps, 1.0)} messages"
    )
    print(f"  429 answers: {stats['too_many_requests']} (goal 0)")
    print(f"  busiest group: {busiest_group} messages within 60 s (limit 20)")
    print(f"  peak RSS of this process (dispatcher + PTB + SQLAlchemy): {result.rss_mb:.0f} MiB")
    delays = [d * 1000 for d in wire.delays(stats["sends"])]
    print(
        f"  leaving -> double's stamp ({len(delays)} chats): min {min(delays):.1f} ms, median "
        f"{percentile(delays, 0.5):.1f}, p99 {percentile(delays, 0.99):.1f}, max {max(delays):.1f}"
    )
    per_message = (result.cpu_seconds - result.fire_seconds) / len(stamps) * 1000
    print(
        f"  CPU of this process: {result.cpu_seconds:.1f} s over fire + drain (the job "
        f"{result.fire_seconds:.1f} s wall); about {per_message:.1f} ms per message sent"
    )


def limits_off(args: argparse.Namespace, world: World, folder: Path) -> None:
    raised = DispatchLimits(
        pacing=Limits(
            global_per_second=1_000_000, private_per_second=1_000_000, wire_limit=1_000_000
        ),
        concurrency=CONCURRENCY,
    )
    bot_seconds: list[float] = []
    fire_seconds: list[float] = []
    bare_seconds: list[float] = []
    bot_cpu: list[float] = []
    bare_cpu: list[float] = []
    with DoubleProcess(flood_limits=False, log=folder / "double-off.log") as double:
        populate(double, world)
        for n in range(args.rounds):
            result = asyncio.run(fanout(double, world, folder / f"off{n}.db", raised, 0))
            bot_seconds.append(result.seconds)
            fire_seconds.append(result.fire_seconds)
            bot_cpu.append(result.cpu_seconds)
            seconds, cpu = asyncio.run(bare(double, result.payloads))
            bare_seconds.append(seconds)
            bare_cpu.append(cpu)
    n_msgs = len(world.users)
    print(
        f"limits OFF: {n_msgs} prompts, concurrency {CONCURRENCY}, dispatcher pacing raised "
        f"to 10^6/s (default DispatchLimits pace ~28/s on purpose)"
    )
    rounds = zip(bot_seconds, fire_seconds, bare_seconds, strict=True)
    for i, (b, f, raw) in enumerate(rounds, 1):
        print(
            f"  round {i}: bot (fire {f * 1000:.0f} ms + dispatch) {n_msgs / b:7.1f} msg/s, "
            f"bare httpx {n_msgs / raw:7.1f} msg/s, ratio {raw / b:.2f} "
            f"(dispatch alone {raw / (b - f):.2f})"
        )
    ratio = sum(bare_seconds) / sum(bot_seconds)
    print(f"  overall ratio bot/bare throughput: {ratio:.2f} (goal >= 0.9)")
    per_bot = sum(bot_cpu) / (n_msgs * len(bot_cpu)) * 1000
    per_bare = sum(bare_cpu) / (n_msgs * len(bare_cpu)) * 1000
    print(
        f"  client CPU per message: bot {per_bot:.2f} ms, bare {per_bare:.2f} ms "
        f"(ratio {per_bot / per_bare:.1f}x; the bot's CPU ceiling is ~{1000 / per_bot:.0f} msg/s "
        f"per core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--contacts-per-unit", type=int, default=5)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--per-group", type=int, default=21)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--per-second", type=float, help="the pace (LEDGERBOT_SEND_PER_SECOND)")
    parser.add_argument("--catch-up", type=float, help="lateness made up, in send intervals")
    parser.add_argument("--skip-on", action="store_true", help="only the limits-off comparison")
    parser.add_argument("--skip-off", action="store_true", help="only the limits-on fan-out")
    parser.add_argument("--replicas", type=int, help="only this many dispatcher processes")
    parser.add_argument("--postgres", help="server URL for --replicas (a database is made)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.replicas:
            if not args.postgres:
                parser.error("--replicas needs --postgres URL")
            seed = partial(seed_fanout, first_user=USER0)
            replicas_on(args, folder, seed)
            return
        world = build_world(folder, args)
        if not args.skip_on:
            limits_on(args, world, folder)
        if not args.skip_off:
            limits_off(args, world, folder)


if __name__ == "__main__":
    main()
