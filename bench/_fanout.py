"""Helpers of ``bench_fanout.py``: the group messages, when requests left, and the replicas run.

``bench_fanout.py --replicas N --postgres URL``: N dispatcher processes drain one month-start
fan-out on PostgreSQL. The fan-out is queued once (the
``ledger-prompts`` job plus the group messages, as in the single-process run), then N worker
processes (this file run as a script) each start a real ``Dispatcher`` with the real
``DispatchLock``, as ``ledgerbot run`` does in every replica, and drain the outbox into the
double (flood limits on). Each worker prints one JSON line: how many rows it sent, its CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import telegram
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.request import HTTPXRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import ROOT, DoubleProcess, env_without_ledgerbot, peak_rss_mb
from config import Settings
from ledger.timetable import EventKind
from models import schema
from models.db import make_engine, make_session_factory, transaction
from scheduler.dispatch_lock import DispatchLock
from scheduler.dispatcher import Dispatcher, DispatchLimits
from scheduler.jobs import fire
from scheduler.pacing import Limits
from scheduler.sending import request_hooks
from services import metrics, outbox
from services.outbox import NewMessage, enqueue_many

PERIOD, CONCURRENCY, GROUP0, CEILING = "2023-03", 32, -4_000_000_001, 30.0
GROUP_TEXT = "<b>推进台账周报</b> 第{n}条：本周各单位填报进展情况。"


def now() -> datetime:
    return datetime.now(UTC)


def group_rows(groups: list[int], per_group: int) -> list[NewMessage]:
    """``per_group`` messages to each group, queued beside the prompts (the digest's kind)."""
    return [
        NewMessage(
            "bench-group",
            PERIOD,
            f"g{chat}:{n}",
            chat,
            {"text": GROUP_TEXT.format(n=n), "parse_mode": "HTML", "reply_markup": None},
            now(),
        )
        for chat in groups
        for n in range(per_group)
    ]


async def queue_rows(
    factory: async_sessionmaker[AsyncSession], groups: list[int], per_group: int
) -> tuple[int, float]:
    """Fire the prompts job as the scheduler does and queue the group messages beside it: the
    number of rows queued, and the seconds the job took."""
    started = time.perf_counter()
    queued = await fire(
        EventKind.LEDGER_PROMPTS,
        PERIOD,
        session_factory=factory,
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        now=now(),
        fired_by="bench",
    )
    fired = time.perf_counter() - started
    async with transaction(factory) as session:
        queued += await enqueue_many(session, group_rows(groups, per_group))
    return queued, fired


async def queue_month_start(url: str, groups: list[int], per_group: int) -> int:
    """Fire the prompts job and queue the group messages; the number of rows queued."""
    engine = make_engine(url)
    queued, _ = await queue_rows(make_session_factory(engine), groups, per_group)
    await engine.dispose()
    return queued


def on_limits(args: argparse.Namespace) -> DispatchLimits:
    """The dispatcher's limits as the bot runs them, with `--per-second` as
    LEDGERBOT_SEND_PER_SECOND (and `--catch-up`, in send intervals)."""
    pacing = Limits()
    if args.per_second is not None:
        pacing = replace(pacing, global_per_second=args.per_second)
    if args.catch_up is not None:
        pacing = replace(pacing, global_catch_up=args.catch_up)
    return DispatchLimits(pacing=pacing)


async def until_sent(factory: async_sessionmaker[AsyncSession], budget: float) -> bool:
    """Wait, polling once a second, until no row is left to send. Not `Dispatcher.drain`:
    that wakes the dispatcher every 50 ms, which would make the standby replica ask for the
    lock 20 times a second; here both wait as in ``ledgerbot run`` (one poll a second)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        async with factory() as session:
            if not await outbox.count_open(session, due_by=now() + timedelta(hours=1)):
                return True
    return False


async def _worker(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    limits = on_limits(args)
    request = HTTPXRequest(connection_pool_size=CONCURRENCY, httpx_kwargs=request_hooks())
    async with telegram.Bot(args.token, base_url=args.base_url, request=request) as bot:
        dispatcher = Dispatcher(
            factory, bot, worker_id=args.name, clock_now=now, limits=limits,
            lock=DispatchLock(engine),
        )  # fmt: skip
        cpu = time.process_time()
        await dispatcher.start()
        drained = await until_sent(factory, 600)
        await dispatcher.stop()
        cpu = time.process_time() - cpu
    await engine.dispose()
    sent = sum(s.value for m in metrics.OUTBOX_SENT.collect() for s in m.samples
               if s.name.endswith("_total"))  # fmt: skip
    return {"name": args.name, "sent": int(sent), "cpu": cpu, "drained": drained,
            "rss_mb": peak_rss_mb()}  # fmt: skip


def start_worker(name: str, url: str, double: DoubleProcess, args: argparse.Namespace) -> Any:
    argv = [sys.executable, __file__, name, url, double.base_url, double.token]
    if args.per_second is not None:
        argv += ["--per-second", str(args.per_second)]
    if args.catch_up is not None:
        argv += ["--catch-up", str(args.catch_up)]
    return subprocess.Popen(argv, env=env_without_ledgerbot(), cwd=ROOT, stdout=subprocess.PIPE)


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def fresh_database(server_url: str) -> tuple[str, str]:
    """A new, migrated database on the server; (its URL, its name)."""
    name = f"ledgerbot_bench_fanout_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)

    async def migrate() -> None:
        engine = make_engine(url)
        await schema.upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return url, name


def drop_database(server_url: str, name: str) -> None:
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class WireLog:
    """When each request left this process (just after the dispatcher's gate), by chat.
    Against the double's own stamps this gives the delay from leaving to being counted,
    whose spread is the jitter the margin of the ceiling (``Limits.wire_margin``) absorbs."""

    def __init__(self) -> None:
        self.left: defaultdict[int, list[float]] = defaultdict(list)

    async def _hook(self, request: httpx.Request) -> None:
        chat = parse_qs(request.content.decode()).get("chat_id")
        if chat:
            self.left[int(chat[0])].append(time.time())

    def hooks(self) -> dict[str, Any]:
        kwargs = request_hooks()
        kwargs["event_hooks"]["request"].append(self._hook)  # after the gate's
        return kwargs

    def delays(self, sends: dict[str, list[float]]) -> list[float]:
        """Seconds from leaving to the double's stamp, over chats sent one request that
        the double accepted (a 429 and its retry would be ambiguous)."""
        return [
            sends[str(chat)][0] - left[0]
            for chat, left in self.left.items()
            if len(left) == 1 and len(sends.get(str(chat), ())) == 1
        ]


def most_within(stamps: list[float], seconds: float) -> int:
    """The most sends in any window of ``seconds`` (two pointers over sorted stamps)."""
    ordered, best, first = sorted(stamps), 0, 0
    for last, stamp in enumerate(ordered):
        while ordered[first] <= stamp - seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


def replicas_on(args: argparse.Namespace, folder: Path, seed: Any) -> None:
    """The limits-on fan-out drained by ``args.replicas`` processes sharing one database."""
    url, name = fresh_database(args.postgres)
    try:
        users = seed(url, args.units, args.contacts_per_unit)
        groups = [GROUP0 - n for n in range(args.groups)]
        queued = asyncio.run(queue_month_start(url, groups, args.per_group))
        with DoubleProcess(flood_limits=True, log=folder / "double-replicas.log") as double:
            for user in users:
                double.control.create_user(f"U{user}", user_id=user)
            for n, chat in enumerate(groups):
                double.control.create_group(f"G{n}", chat_id=chat)
            started = time.perf_counter()
            workers = [start_worker(f"r{n + 1}", url, double, args) for n in range(args.replicas)]
            reports = [json.loads(w.communicate()[0].decode().splitlines()[-1]) for w in workers]
            seconds = time.perf_counter() - started
            stats = double.control.stats()
    finally:
        drop_database(args.postgres, name)
    stamps = [t for times in stats["sends"].values() for t in times]
    groups_sent = [times for chat, times in stats["sends"].items() if int(chat) < 0]
    rate = len(stamps) / (max(stamps) - min(stamps))
    print(
        f"replicas  : {args.replicas} dispatcher processes on one PostgreSQL database, "
        f"{queued} rows queued ({len(users)} prompts + {len(groups)} groups x {args.per_group}), "
        f"{len(stamps)} delivered in {seconds:.1f} s (processes started to drained)"
    )
    print(
        f"  combined {rate:.2f} msg/s first to last = {rate / CEILING:.3f} of 30 "
        f"(goal <= 30/s and >= 0.9 of it: {rate / (0.9 * CEILING):.3f} of 27)"
    )
    steady = most_within(stamps, 10.0) / 10.0
    print(f"  busiest 10 s: {steady:.2f} msg/s; busiest second: {most_within(stamps, 1.0)}")
    print(f"  429 answers: {stats['too_many_requests']} (goal 0)")
    busiest_group = max(most_within(g, 60.0) for g in groups_sent) if groups_sent else 0
    print(f"  busiest group: {busiest_group} messages within 60 s (limit 20)")
    for report in reports:
        print(
            f"  replica {report['name']}: sent {report['sent']} "
            f"({report['sent'] / max(1, len(stamps)):.1%}), CPU {report['cpu']:.1f} s, "
            f"peak RSS {report['rss_mb']:.0f} MiB, drained={report['drained']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="one dispatcher replica (bench_fanout.py)")
    for name in ("name", "url", "base_url", "token"):
        parser.add_argument(name)
    parser.add_argument("--per-second", type=float)
    parser.add_argument("--catch-up", type=float)
    print(json.dumps(asyncio.run(_worker(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
