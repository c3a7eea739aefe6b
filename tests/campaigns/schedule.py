"""Campaigns over the scheduler: Telegram faults on 10% of sends, restarts across every fire
time of a month, two webhook replicas, and concurrent SQLite writers. Shared by the test suite
(small) and `bench/bench_campaigns.py` (full size)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ledger.vocab import ChatType, OutboxState
from models import Chat, OutboxMessage
from models.db import make_engine, make_session_factory, transaction
from services.outbox import possible_duplicates
from tests.campaigns.crash import NINE, create_users, prompt_counts, wait_all
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout

DIGEST = "每周台账简报"
PLAN = Path("/work/shared/plans/chengzi-2023-work-points.txt")
# Period 2023-03, Asia/Shanghai: prompt and Monday digest, reminders, escalation and digest,
# then the remaining Monday digests of April.
MONTH = [
    datetime.fromisoformat(f"2023-04-{day}T09:00:00+08:00")
    for day in ("03", "04", "07", "10", "17", "24")
]


@dataclass
class Row:
    kind: str
    chat_id: int
    state: str
    duplicates: int


async def _rows(url: str) -> list[Row]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        result = await connection.execute(
            select(
                OutboxMessage.kind,
                OutboxMessage.chat_id,
                OutboxMessage.state,
                OutboxMessage.last_error,
            )
        )
        rows = [Row(k, c, OutboxState(s).value, possible_duplicates(e)) for k, c, s, e in result]
    await engine.dispose()
    return rows


def outbox_rows(harness: Harness) -> list[Row]:
    return asyncio.run(_rows(harness.db_url))


async def _subscribe(url: str, chat_id: int) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        session.add(Chat(telegram_chat_id=chat_id, type=ChatType.GROUP, digest_subscribed=True))
    await engine.dispose()


def subscribed_group(harness: Harness, members: list[int]) -> int:
    group = int(harness.control.create_group("推进工作群", members=members)["id"])
    asyncio.run(_subscribe(harness.db_url, group))
    return group


def texts_in(harness: Harness, chat: int, needle: str) -> int:
    return sum(
        needle in (m.get("text") or m.get("caption") or "") for m in harness.bot_messages(chat)
    )


def settle(harness: Harness, quiet: float = 1.5, timeout: float = 120) -> list[Row]:
    """Wait until no outbox row is open and the outbox has not grown for `quiet` seconds."""
    deadline, last, stable_since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        rows = outbox_rows(harness)
        busy = any(r.state in ("pending", "sending", "unknown") for r in rows)
        if len(rows) != last or busy:
            last, stable_since = len(rows), time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"the outbox did not settle:\n{harness.bot.log()[-2000:]}")


# --- faults ---------------------------------------------------------------------------------
@dataclass
class FaultReport:
    reachable: int
    lost: int
    doubled: int
    possible_duplicates: int
    faults_fired: int
    failed_rows: int
    unreachable_notices: int
    digest_in_supergroup: int
    seconds: float


def faults_campaign(harness: Harness, units: int, probability: float = 0.10) -> FaultReport:
    """429 / 500 / 502 / timeouts on `probability` of sends, two contacts who blocked the bot,
    and a subscribed group that becomes a supergroup when its digest is sent."""
    began = time.monotonic()
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    group = subscribed_group(harness, [admin])
    blocked, reachable = users[:2], users[2:]
    for user in blocked:
        harness.control.block(user)
    kinds = ("429", "500", "502", "timeout_after", "timeout_before")
    for n, kind in enumerate(kinds):
        for method in ("sendMessage", "sendPhoto"):
            harness.control.add_fault(
                method, kind, probability=probability / len(kinds), seed=n, count=None,
                retry_after=1, hold=12,
            )  # fmt: skip
    harness.control.add_fault("sendMessage", "migrate", chat_id=group, count=1)
    harness.start(LEDGERBOT_FAKE_NOW=(NINE - timedelta(seconds=2)).isoformat())
    counts = wait_all(harness, lambda: prompt_counts(harness, reachable), reachable, 120 + units)
    supergroup = int(harness.control.get_chat(group)["migrated_to"] or group)
    wait_all(harness, lambda: Counter({0: texts_in(harness, supergroup, DIGEST)}), [0], 60)
    stats = harness.control.stats()
    harness.control.clear_faults()
    wait_all(harness, lambda: Counter({0: texts_in(harness, admin, "unreachable")}), [0], 60)
    rows = settle(harness)
    harness.bot.stop()
    return FaultReport(
        reachable=len(reachable),
        lost=sum(1 for u in reachable if not counts[u]),
        doubled=sum(c - 1 for c in counts.values() if c > 1),
        possible_duplicates=sum(r.duplicates for r in rows if r.kind == "ledger-prompt"),
        faults_fired=int(stats["faults_fired"]),
        failed_rows=sum(1 for r in rows if r.state == "failed"),
        unreachable_notices=texts_in(harness, admin, "unreachable"),
        digest_in_supergroup=texts_in(harness, supergroup, DIGEST) if supergroup != group else 0,
        seconds=time.monotonic() - began,
    )


# --- a month of fire times --------------------------------------------------------------------
@dataclass
class MonthReport:
    restarts: int
    kinds: Counter[str] = field(default_factory=Counter)
    not_sent: int = 0
    doubled: int = 0
    possible_duplicates: int = 0
    seconds: float = 0.0


def month_campaign(harness: Harness, units: int) -> MonthReport:
    """Across every fire time of period 2023-03, alternately: crash (SIGKILL) just after the
    fire time, or be down across it and come back 40 s later. Nobody reports, so everything
    fires: prompts, two reminders, the escalation, four Monday digests."""
    began = time.monotonic()
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    group = subscribed_group(harness, [admin])
    report = MonthReport(restarts=0)
    for n, moment in enumerate(MONTH):
        if n % 2 == 0:  # up across the fire time, then SIGKILL mid-sending
            harness.start(LEDGERBOT_FAKE_NOW=(moment - timedelta(seconds=2)).isoformat())
            time.sleep(3.5)
            harness.bot.kill()
        else:  # down across it: stopped before, started 40 s after
            harness.start(LEDGERBOT_FAKE_NOW=(moment - timedelta(minutes=30)).isoformat())
            harness.bot.stop()
        harness.start(LEDGERBOT_FAKE_NOW=(moment + timedelta(seconds=40)).isoformat())
        settle(harness)
        harness.bot.stop()
        report.restarts += 2
    harness.start(LEDGERBOT_FAKE_NOW=(MONTH[-1] + timedelta(hours=1)).isoformat())
    rows = settle(harness, quiet=3)
    harness.bot.stop()
    chats = {r.chat_id for r in rows} | {group}
    sent = Counter(r.chat_id for r in rows if r.state == "sent")
    received = {c: len(harness.bot_messages(c)) for c in chats}
    report.kinds = Counter(r.kind for r in rows)
    report.not_sent = sum(1 for r in rows if r.state != "sent")
    report.doubled = sum(max(received[c] - sent[c], 0) for c in chats)
    report.possible_duplicates = sum(r.duplicates for r in rows)
    report.seconds = time.monotonic() - began
    return report


# --- two replicas ---------------------------------------------------------------------------
def replicas_campaign(harness: Harness, units: int, workdir: Path) -> tuple[int, int, int]:
    """Two webhook replicas on one PostgreSQL fire the same 09:00 prompt to `units` contacts;
    returns (contacts, lost, doubled)."""
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    second = Harness(harness.tg, harness.db_url, workdir, harness.admin_ids)
    workdir.mkdir(exist_ok=True)
    try:
        for world, port in ((harness, 18451), (second, 18452)):
            world.extra_env.update(
                LEDGERBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                LEDGERBOT_WEBHOOK_LISTEN="127.0.0.1",
                LEDGERBOT_WEBHOOK_PORT=str(port),
                LEDGERBOT_WEBHOOK_SECRET=f"secret-{port}",
                LEDGERBOT_FAKE_NOW=(NINE - timedelta(seconds=3)).isoformat(),
            )
            world.start()
        counts = wait_all(harness, lambda: prompt_counts(harness, users), users, 60 + units / 10)
        settle(harness)
        counts = prompt_counts(harness, users)
    finally:
        second.bot.kill()
    lost = sum(1 for u in users if not counts[u])
    return len(users), lost, sum(c - 1 for c in counts.values() if c > 1)


# --- concurrent SQLite writers -------------------------------------------------------------
@dataclass
class WritersReport:
    reports_sent: int
    entries: int
    cli_runs: int
    cli_failures: list[str]
    locked: int


def writers_campaign(harness: Harness, senders: int, reports: int, cli_loops: int) -> WritersReport:
    """The bot takes /report bursts while the CLI imports a plan and adds staff and invites."""
    from tests.campaigns.crash import _entries

    users = seed_fanout(harness.db_url, units=senders)
    create_users(harness, users)
    harness.start(LEDGERBOT_FAKE_NOW=(NINE + timedelta(hours=2)).isoformat())
    outputs: list[str] = []
    failures: list[str] = []

    def cli(*args: str) -> None:
        result = harness.cli(*args, check=False)
        outputs.append(result.stdout + result.stderr)
        if result.returncode != 0:
            failures.append(f"{' '.join(args)}: {result.stderr[-500:]}")

    def cli_traffic() -> None:
        cli("import", str(PLAN), "--year", "2024")
        for n in range(cli_loops):
            cli("staff", "add", str(800_000_000 + n))
            cli("invite", "测试单位0001")

    worker = threading.Thread(target=cli_traffic)
    worker.start()
    sent = 0
    while sent < reports or worker.is_alive():  # spread the reports over the CLI's writes
        harness.control.send_message(
            users[sent % senders], f"/report {sent % senders + 1} 序时推进 并发第{sent}条"
        )
        sent += 1
        time.sleep(0.02)
    worker.join(600)
    wanted = [f"并发第{i}条" for i in range(sent)]
    counts = wait_all(harness, lambda: _entries(harness), wanted, 60 + reports / 5)
    harness.bot.stop()
    text = "\n".join(outputs) + harness.bot.log()
    return WritersReport(
        reports_sent=sent,
        entries=sum(1 for w in wanted if counts[w] == 1),
        cli_runs=len(outputs),
        cli_failures=failures,
        locked=text.count("database is locked"),
    )
