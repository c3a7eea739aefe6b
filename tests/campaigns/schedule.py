"""Campaigns over the scheduler: Telegram faults on 10% of sends, and restarts and SIGKILLs
across every fire time of a month, counted at the double. Shared by the test suite (small)
and `bench/bench_campaigns.py` (full size)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ledger.vocab import ChatType, OutboxState
from models import Chat, OutboxMessage
from models.db import make_engine, make_session_factory, transaction
from tests.campaigns.crash import NINE, Kill, create_users, prompt_counts, wait_all
from tests.e2e.accounting import Key, Tally, received
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout

DIGEST = "每周台账简报"
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


async def _rows(url: str) -> list[Row]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        result = await connection.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id, OutboxMessage.state)
        )
        rows = [Row(k, c, OutboxState(s).value) for k, c, s in result]
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
    expected: int
    received: int
    lost: dict[Key, int]
    doubled: int
    excused: int  # copies after a `timeout_after` the double applied and answered too late
    unexcused: dict[Key, int]
    faults_fired: int
    failed_rows: int
    seconds: float


def faults_campaign(harness: Harness, units: int, probability: float = 0.10) -> FaultReport:
    """429 / 500 / 502 / timeouts on `probability` of sends, two contacts who blocked the bot,
    and a subscribed group that becomes a supergroup when its digest is sent. Expected by hand:
    a prompt per reachable contact, the digest (text and chart) in the supergroup, and one
    "unreachable" notice per blocked contact to the admin."""
    began = time.monotonic()
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    group = subscribed_group(harness, [admin])
    blocked, reachable = users[:2], users[2:]
    for user in blocked:
        harness.control.block(user)
    harness.expect_error("sendMessage", "bot was blocked by the user")
    kinds = ("429", "500", "502", "timeout_after", "timeout_before")
    for n, kind in enumerate(kinds):
        for method in ("sendMessage", "sendPhoto"):
            harness.control.add_fault(
                method, kind, probability=probability / len(kinds), seed=n, count=None,
                retry_after=1, hold=12,
            )  # fmt: skip
    harness.control.add_fault("sendMessage", "migrate", chat_id=group, count=1)
    harness.start(LEDGERBOT_FAKE_NOW=(NINE - timedelta(seconds=2)).isoformat())
    wait_all(harness, lambda: prompt_counts(harness, reachable), reachable, 120 + units)
    supergroup = int(harness.control.get_chat(group)["migrated_to"] or group)
    wait_all(harness, lambda: Counter({0: texts_in(harness, supergroup, DIGEST)}), [0], 60)
    faults = harness.control.faults()
    harness.control.clear_faults()
    wait_all(harness, lambda: Counter({0: texts_in(harness, admin, "unreachable")}), [0], 60)
    rows = settle(harness)
    harness.bot.stop()
    expected = Counter({(user, "prompt"): 1 for user in reachable})
    expected.update({(supergroup, "digest"): 1, (supergroup, "chart"): 1})
    expected.update({(admin, "unreachable"): len(blocked), **{(u, "prompt"): 0 for u in blocked}})
    expected[(group, "digest")] = 0  # the old group: nothing arrives there
    tally = Tally(expected)
    tally.after_faults(faults["applied_unanswered"], ("prompt", "digest", "chart", "unreachable"))
    verdict = tally.verdict(harness)
    return FaultReport(
        reachable=len(reachable),
        expected=verdict.expected,
        received=verdict.received,
        lost=verdict.lost,
        doubled=verdict.doubled,
        excused=verdict.excused,
        unexcused=verdict.unexcused,
        faults_fired=len(faults["log"]),
        failed_rows=sum(1 for r in rows if r.state == "failed"),
        seconds=time.monotonic() - began,
    )


# --- a month of fire times --------------------------------------------------------------------
@dataclass
class MonthReport:
    kills: list[Kill] = field(default_factory=list)
    restarts: int = 0
    expected: int = 0
    received: int = 0
    lost: dict[Key, int] = field(default_factory=dict)
    doubled: int = 0
    excused: int = 0  # copies of a message a kill left of unknown outcome
    unexcused: dict[Key, int] = field(default_factory=dict)
    not_sent: int = 0  # outbox rows not `sent` at the end (the bot's own view, for the record)
    seconds: float = 0.0

    @property
    def kills_mid_work(self) -> int:
        return sum(k.mid_work for k in self.kills)


def month_campaign(harness: Harness, units: int, seed: int = 5) -> MonthReport:
    """Across every fire time of period 2023-03, alternately: SIGKILL in the middle of that
    fire time's sends (after a random number of them reached the double, at most half), or be
    down across it and come back 40 s later. Nobody reports, so everything fires; what each
    chat must receive is written out by hand below and counted at the double."""
    began, rng = time.monotonic(), random.Random(seed)
    users = seed_fanout(harness.db_url, units=units)
    create_users(harness, users)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    group = subscribed_group(harness, [admin])
    expected = Counter({(user, "prompt"): 1 for user in users})
    expected.update({(user, "reminder"): 2 for user in users})  # 04-04 and 04-07
    expected.update({(admin, "escalation"): 1, (group, "digest"): 4, (group, "chart"): 4})
    # At escalation every unit is overdue (nobody reports) and its one contact is told too
    # (its own 逾期通报, counted as "escalation"); the units have no principals.
    expected.update({(user, "escalation"): 1 for user in users})
    tally = Tally(expected)
    # Messages each fire time sends: prompts and the Monday digest (text, chart); reminders;
    # reminders; the escalation to staff, one to each unit's contact, and the digest (text,
    # chart): units + 3; the digest; the digest.
    sends = [units + 2, units, units, units + 3, 2, 2]
    report = MonthReport()
    for n, (moment, count) in enumerate(zip(MONTH, sends, strict=True)):
        if n % 2 == 0:  # up across the fire time, SIGKILLed in the middle of its sends
            before = sum(received(harness, tally.chats).values())
            after = rng.randint(1, max(1, count // 2))
            start = (moment - timedelta(seconds=2)).isoformat()
            harness.run_until_killed(after, lambda m: True, LEDGERBOT_FAKE_NOW=start)
            tally.after_kill(harness)
            at_kill = sum(received(harness, tally.chats).values())
            report.kills.append(Kill(done=at_kill - before, left=before + count - at_kill))
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
    verdict = tally.verdict(harness)
    report.expected, report.received = verdict.expected, verdict.received
    report.lost, report.doubled = verdict.lost, verdict.doubled
    report.excused, report.unexcused = verdict.excused, verdict.unexcused
    report.not_sent = sum(1 for r in rows if r.state != "sent")
    report.seconds = time.monotonic() - began
    return report
