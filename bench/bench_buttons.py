"""Button-flow benchmark: concurrent contacts walking the report flow step by step through the
real `ledgerbot run` process, by long polling and by webhook, on SQLite.

Run: .venv/bin/python bench/bench_buttons.py [--users 100] [--rounds 2] [--think 2-8]
     [--modes polling,webhook] [--profile DIR]

World: a fresh migrated SQLite file; ``--users`` units each leading one task of the 2023 plan,
one bound contact each; the bot's clock is 2023-04-03 10:00 (the 2023-03 ledger is open and no
scheduled event is due). The Bot API double runs as its own process with flood limits off.

Each user walks the flow a contact uses, ``--rounds`` times, pressing only buttons the bot sent
(read from the double's record of the bot's last message in the chat):

    tasks       /tasks                       → the task list, a button per task
    task        the task's button            → the status question with its buttons
    status      [序时推进]                   → the progress question
    progress    typed text                   → the problems question with [跳过]
    problems    typed text                   → the next-steps question with [跳过]
    next_steps  [跳过]                       → the summary with [提交] [修改]
    submit      [提交]                       → the confirmation (an outbox row, sent after commit)

Method — the double stamps every message the bot sends (``time.time()``, same host clock as this
script). Latency of a step = stamp of the bot's message that answers it − the moment just before
this script posted the user's action to the double's control API. Each step is answered by
exactly one new message, and a user acts only after seeing it (then waits ``--think`` seconds,
uniform in the range), so the k-th bot message in a chat answers the k-th action. At the end:
one progress entry per submit (``--rounds`` versions per unit), every callback query answered
without an alert, and exactly one bot message per step.

Printed per mode: p50 / p95 / p99 / max per step and over all steps, the ratio of the p99 to
50 ms, the achieved step rate, the bot's CPU per step and its peak RSS (VmHWM, goal ≤ 200 MB);
with ``--profile DIR`` a py-spy profile of the bot (``.venv/bin/pip install py-spy``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import DoubleProcess, cpu_seconds, machine, peak_rss_mb, percentile, py_spy
from bench.bench_inbound import bot_env
from models import ProgressEntry, schema
from models.db import make_engine
from tests.e2e.harness import BotProcess
from tests.e2e.seed import seed_fanout

USER0 = 310_000_001
UNSAVED = "系统暂时无法保存，请稍后再试"  # bot/intake.py: the inbox could not store an update
STEPS = ("tasks", "task", "status", "progress", "problems", "next_steps", "submit")


class Flow:
    """The users' side: posts actions, learns from one watcher when the bot answered."""

    def __init__(self, url: str, think: tuple[float, float]) -> None:
        self.http = httpx.AsyncClient(
            base_url=f"{url}/_control", limits=httpx.Limits(max_connections=64), timeout=120
        )
        self.think = think
        self.seen: dict[int, int] = {}  # per chat, the bot's messages waited for so far
        self.unsaved = 0
        self.waiting: dict[int, tuple[int, asyncio.Future[float]]] = {}
        self.latency: dict[str, list[float]] = {step: [] for step in STEPS}
        self.done = asyncio.Event()

    async def _do(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        reply = (await self.http.request(verb, path, json=body)).json()
        if not reply.get("ok"):
            raise RuntimeError(f"{verb} {path} {body}: {reply.get('error')}")
        return reply["result"]

    async def watch(self) -> None:
        """One long poll for the whole run: on every change of the double's state, resolve the
        users whose chat has received the message they wait for, with its stamp."""
        version = 0
        while not self.done.is_set():
            version = await self._do("POST", "/changes", {"since": version, "timeout": 1.0})
            if not self.waiting:
                continue
            sends = (await self._do("GET", "/stats"))["sends"]
            for chat, (count, future) in list(self.waiting.items()):
                stamps = sends.get(str(chat), [])
                if len(stamps) >= count and not future.done():
                    future.set_result(sorted(stamps)[count - 1])
                    del self.waiting[chat]

    async def act(self, user: int, step: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Post one action, wait for the bot's message answering it; returns that message.
        A "cannot save right now" notice (the inbox refused the update; it comes again) is
        counted and waited past: the step's answer is the message after it."""
        answer = self._next_message(user)
        at = time.time()
        await self._do("POST", path, {"user_id": user, **body})
        while True:
            stamp = await asyncio.wait_for(answer, 120)
            messages = await self._do("GET", f"/chats/{user}/messages")
            if messages[-1].get("text") != UNSAVED:
                break
            self.unsaved += 1
            answer = self._next_message(user)
        self.latency[step].append((stamp - at) * 1000)
        return dict(messages[-1])

    def _next_message(self, user: int) -> asyncio.Future[float]:
        """Resolves to the stamp of the next message the bot sends this user."""
        self.seen[user] = self.seen.get(user, 0) + 1
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[user] = (self.seen[user], future)
        return future

    async def press(self, user: int, step: str, message: dict[str, Any], label: str) -> Any:
        """Press the button labelled `label` (or starting with it) under the bot's message."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        keys = [key for row in rows for key in row if str(key.get("text", "")).startswith(label)]
        if not keys:
            raise RuntimeError(f"{step}: no [{label}] under {message.get('text')!r}")
        body = {"message_id": message["message_id"], "data": keys[0]["callback_data"]}
        return await self.act(user, step, "/callbacks", body)

    async def user(self, user: int, task: int, rounds: int) -> None:
        await asyncio.sleep(random.uniform(*self.think))
        for n in range(rounds):
            listing = await self.act(user, "tasks", "/messages", {"text": "/tasks"})
            await self.pause()
            question = await self.press(user, "task", listing, f"{task}. ")
            await self.pause()
            ask = await self.press(user, "status", question, "序时推进")
            await self.pause()
            text = f"第{n + 1}轮：路基工程完成{60 + n}%，桥梁桩基施工中"
            reply = {"text": text, "reply_to_message_id": ask["message_id"]}
            await self.act(user, "progress", "/messages", reply)
            await self.pause()
            ask = await self.act(user, "problems", "/messages", {"text": "征地拆迁进度偏慢"})
            await self.pause()
            summary = await self.press(user, "next_steps", ask, "跳过")
            await self.pause()
            await self.press(user, "submit", summary, "提交")
            await self.pause()

    async def pause(self) -> None:
        await asyncio.sleep(random.uniform(*self.think))


async def drive(flow: Flow, users: list[int], rounds: int) -> float:
    """All users at once; returns the seconds from the first action to the last answer."""
    watcher = asyncio.create_task(flow.watch())
    started = time.perf_counter()
    try:
        await asyncio.gather(*(flow.user(u, u - USER0 + 1, rounds) for u in users))
    finally:
        flow.done.set()
        await watcher
    return time.perf_counter() - started


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    await schema.upgrade(engine)
    await engine.dispose()


async def _entries_per_unit(url: str) -> tuple[Counter[int], int]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ProgressEntry.unit_id, func.count()).group_by(ProgressEntry.unit_id)
        )
        per_unit = Counter({int(unit): int(n) for unit, n in rows})
        current = await conn.scalar(
            select(func.count()).select_from(ProgressEntry).where(ProgressEntry.is_current)
        )
    await engine.dispose()
    return per_unit, int(current or 0)


def _checks(double: DoubleProcess, flow: Flow, rounds: int) -> list[str]:
    """What must hold after the run: one message per step (and per "cannot save" notice),
    every press answered quietly."""
    problems = []
    stats = double.control.stats()
    sent = sum(len(stats["sends"].get(str(user), [])) for user in flow.seen)
    if sent != rounds * len(STEPS) * len(flow.seen) + flow.unsaved:
        steps = rounds * len(STEPS) * len(flow.seen)
        problems.append(f"{sent} bot messages for {steps} steps and {flow.unsaved} notices")
    answers = double.control.callback_answers()
    unanswered = [a for a in answers if a["answer"] is None]
    alerts = [a for a in answers if a["answer"] and a["answer"].get("show_alert")]
    if unanswered or alerts:
        problems.append(f"{len(unanswered)} presses unanswered, {len(alerts)} answered by alert")
    return problems


def _row(name: str, values: list[float]) -> str:
    p50, p95, p99 = (percentile(values, f) for f in (0.5, 0.95, 0.99))
    return (
        f"    {name:<10} {len(values):>5} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
        f"{max(values):>8.1f}   {p99 / 50:.2f}"
    )


def run_mode(mode: str, args: argparse.Namespace, folder: Path, template: Path) -> None:
    db = folder / f"{mode}.db"
    shutil.copy(template, db)
    db_url = f"sqlite+aiosqlite:///{db}"
    users = [USER0 + n for n in range(args.users)]
    with DoubleProcess(flood_limits=False, log=folder / f"double-{mode}.log") as double:
        for user in users:
            double.control.create_user(f"填报人{user}", user_id=user)
        env, _ = bot_env(double, db_url, mode)
        bot = BotProcess(env, folder / f"bot-{mode}.log")
        bot.start(double.control)  # type: ignore[arg-type]  # Control has the stats() it reads
        assert bot.process is not None
        out = Path(args.profile) / f"buttons-{mode}.txt" if args.profile else None
        spy = py_spy(bot.process.pid, out) if out else None
        low, _, high = args.think.partition("-")
        flow = Flow(double.url, (float(low), float(high or low)))
        cpu_before = cpu_seconds(bot.process.pid)
        try:
            wall = asyncio.run(drive(flow, users, args.rounds))
            cpu = cpu_seconds(bot.process.pid) - cpu_before
            rss = peak_rss_mb(bot.process.pid)
            problems = _checks(double, flow, args.rounds)
        finally:
            if spy is not None:
                spy.send_signal(2)
                spy.wait(60)
            code = bot.stop()
    per_unit, current = asyncio.run(_entries_per_unit(db_url))
    stored, want = sorted(per_unit.values()), [args.rounds] * len(users)
    if stored != want or current != len(users):
        counts = sorted(Counter(stored).items())
        problems.append(f"(versions, units) {counts}, {current} current entries")
    every = [ms for step in STEPS for ms in flow.latency[step]]
    print(
        f"{mode}: exit {code}; {len(users)} users × {args.rounds} rounds, think {args.think} s; "
        f"{sum(stored)} entries stored for {len(users) * args.rounds} submits"
    )
    print("    step       steps   p50 ms   p95 ms   p99 ms   max ms   p99/50 ms")
    for step in STEPS:
        print(_row(step, flow.latency[step]))
    print(_row("all", every))
    print(
        f"  {len(every)} steps in {wall:.1f} s = {len(every) / wall:.1f} steps/s; bot CPU "
        f"{cpu:.1f} s = {cpu / len(every) * 1000:.1f} ms per step (load-proof)"
    )
    print(f"  bot peak RSS (VmHWM): {rss:.0f} MiB = {rss / 200:.2f} of the 200 MB goal")
    if flow.unsaved:
        print(f"  {flow.unsaved} actions answered first by the inbox's 'cannot save' notice")
    for problem in problems:
        print(f"  WARNING: {problem}")
    print(f"  load average now: {Path('/proc/loadavg').read_text().strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--think", default="2-8", help="seconds between a user's steps: A-B")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--profile", help="folder for py-spy profiles of the bot")
    parser.add_argument("--keep", help="folder to keep the databases and logs in")
    args = parser.parse_args()
    random.seed(args.seed)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        template = folder / "template.db"
        url = f"sqlite+aiosqlite:///{template}"
        asyncio.run(_migrate(url))
        seed_fanout(url, args.users, 1, first_user=USER0)
        for mode in args.modes.split(","):
            run_mode(mode.strip(), args, folder, template)


if __name__ == "__main__":
    main()
