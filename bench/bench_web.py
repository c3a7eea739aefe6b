"""Web server under hostile traffic: a real user's `/help` latency and the bot's RSS while
3,000 wrong-secret requests arrive at 50 concurrent connections, and while six 90 MB bodies
are pushed at the webhook at once.

    .venv/bin/python bench/bench_web.py
    .venv/bin/python bench/bench_web.py --code /path/to/older/checkout   # compare with older code

World: the double in its own process (limits off), `ledgerbot run` in webhook mode on a fresh
SQLite file (which it migrates itself), the flood from this process (aiohttp, its own thread).
Latency = the moment a user's `/help` is posted to the double → its answer is there (the
double's long-poll wait), one user after another, so it is what a real user feels.
Phases: baseline (no flood); flood (3,000 small forged updates with a wrong secret, 50 at a
time); huge bodies (6 × 90 MB with a wrong secret, at once). Goals (issue 11): answered within
1 s during the flood; RSS flat. RSS is VmRSS before, and the peak (VmHWM, reset at the start
of each phase) during.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    DoubleProcess,
    env_without_ledgerbot,
    free_port,
    machine,
    percentile,
    reset_peak_rss,
)
from tests.e2e.flood import flood, rss_mib
from tests.e2e.harness import BotProcess

SECRET = "bench-web-secret"
USERS = [700_000_001 + n for n in range(3)]


class User:
    """Sends /help as real users do and times the answer."""

    def __init__(self, control_url: str) -> None:
        self.http = httpx.Client(base_url=f"{control_url}/_control", timeout=120)
        self.seen = dict.fromkeys(USERS, 0)

    def help(self, user: int) -> float:
        started = time.perf_counter()
        self.http.post("/messages", json={"user_id": user, "text": "/help"}).raise_for_status()
        self.seen[user] += 1
        body = {"chat_id": user, "count": self.seen[user], "timeout": 60, "sender": "bot"}
        self.http.post("/wait", json=body).raise_for_status()
        return (time.perf_counter() - started) * 1000

    def while_running(self, done: threading.Event) -> list[float]:
        latencies, n = [], 0
        while not done.is_set():
            latencies.append(self.help(USERS[n % len(USERS)]))
            n += 1
        return latencies


def figures(name: str, latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    return (
        f"{name}: {len(latencies)} /help, p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
        f"max {max(latencies):.0f} ms = {max(latencies) / 1000:.2f} of the 1 s goal"
    )


def _flood_process(url: str, kwargs: dict[str, int], out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    result = asyncio.run(flood(url, **kwargs))  # type: ignore[arg-type]
    out.put((dict(result.statuses), result.seconds))


def attack(
    url: str, pid: int, user: User, **kwargs: int
) -> tuple[dict[int, int], float, list[float], float]:
    """One flood (from its own process, so it does not slow this one's timing) while timing
    /help; returns the answers' statuses, the flood's seconds, latencies and peak RSS."""
    reset_peak_rss(pid)
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    attacker = multiprocessing.Process(target=_flood_process, args=(url, kwargs, out))
    attacker.start()
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (attacker.join(), done.set()))
    waiter.start()
    latencies = user.while_running(done)
    waiter.join()
    statuses, seconds = out.get(timeout=10)
    return statuses, seconds, latencies, rss_mib(pid, "VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--code", help="run the bot from this source tree instead")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        DoubleProcess(flood_limits=False, log=Path(tmp) / "double.log") as double,
    ):
        folder = Path(tmp)
        db = folder / "web.db"
        if args.code:
            shutil.copytree(args.code, folder / "code", ignore=shutil.ignore_patterns(".venv"))
        url_db = f"sqlite+aiosqlite:///{db}"  # created and migrated by the bot itself
        for user in USERS:
            double.control.create_user(f"用户{user}", user_id=user)
        port = free_port()
        hook = f"http://127.0.0.1:{port}/telegram/hook"
        env = env_without_ledgerbot()
        if args.code:  # `python -m` puts the working folder first on sys.path
            env["PYTHONPATH"] = str(folder / "code")
            os.chdir(folder / "code")
        env.update(
            LEDGERBOT_TELEGRAM_TOKEN=double.token,
            LEDGERBOT_TELEGRAM_BASE_URL=double.base_url,
            LEDGERBOT_DATABASE_URL=url_db,
            LEDGERBOT_FAKE_NOW="2023-04-03T11:00:00+08:00",
            LEDGERBOT_WEBHOOK_URL=hook,
            LEDGERBOT_WEBHOOK_SECRET=SECRET,
            LEDGERBOT_WEB_PORT=str(port),  # and the old names, for older code
            LEDGERBOT_WEBHOOK_PORT=str(port),
            LEDGERBOT_WEBHOOK_LISTEN="127.0.0.1",
        )
        bot = BotProcess(env, folder / "bot.log")
        bot.start(double.control)  # type: ignore[arg-type]
        assert bot.process is not None
        pid = bot.process.pid
        user = User(double.url)
        try:
            for n in range(10):
                user.help(USERS[n % len(USERS)])  # warm up
            rss_before = rss_mib(pid)
            reset_peak_rss(pid)
            baseline = [user.help(USERS[n % len(USERS)]) for n in range(60)]
            print(f"RSS before {rss_before:.0f} MiB")
            print(figures("baseline (no flood)", baseline))
            statuses, seconds, during, peak = attack(
                hook, pid, user, requests=args.requests, concurrency=args.concurrency
            )
            print(
                f"flood: {args.requests} wrong-secret requests, {args.concurrency} at a time, "
                f"in {seconds:.1f} s ({args.requests / seconds:.0f}/s); answers {statuses}; "
                f"peak RSS {peak:.0f} MiB (+{peak - rss_before:.0f})"
            )
            print(figures("during the flood", during))
            statuses, seconds, during, peak = attack(
                hook, pid, user, requests=0, concurrency=1, huge=6, huge_mb=90
            )
            print(
                f"6 × 90 MB wrong-secret bodies at once ({seconds:.1f} s): answers {statuses}; "
                f"peak RSS {peak:.0f} MiB (+{peak - rss_before:.0f})"
            )
            print(figures("during the huge bodies", during))
            print(f"RSS after {rss_mib(pid):.0f} MiB")
        finally:
            bot.stop()


if __name__ == "__main__":
    main()
