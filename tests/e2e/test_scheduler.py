"""The 09:00 prompt, end to end: on time, once, across restarts, crashes and two replicas."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from models import JobRun
from models.db import make_engine
from tests.e2e.accounting import Tally
from tests.e2e.harness import Harness, Message, buttons, task_button
from tests.e2e.seed import seed_fanout

pytestmark = pytest.mark.e2e

# 2023-04-03 (Monday) is the prompt day of period 2023-03: 1 and 2 April are a weekend.
BEFORE_NINE = "2023-04-03T08:59:57+08:00"
AFTER_NINE = "2023-04-03T09:00:30+08:00"


def create_users(harness: Harness, users: list[int]) -> None:
    for user in users:
        harness.control.create_user(f"填报人{user}", user_id=user)


def prompts_per_chat(harness: Harness, users: list[int]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for user in users:
        counts[user] = sum(
            "2023-03 推进台账" in (m.get("text") or "") for m in harness.bot_messages(user)
        )
    return counts


def wait_for_prompts(harness: Harness, users: list[int], timeout: float) -> Counter[int]:
    deadline = time.monotonic() + timeout
    while True:
        counts = prompts_per_chat(harness, users)
        if all(counts[u] >= 1 for u in users) or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)


async def fire_times(url: str, kind: str) -> list[datetime]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            stmt = select(JobRun.fired_at).where(JobRun.kind == kind)
            return list(await connection.scalars(stmt))
    finally:
        await engine.dispose()


def is_prompt(message: Message) -> bool:
    return "2023-03 推进台账" in (message.get("text") or "")


def outbox(harness: Harness) -> dict:
    return harness.cli_json("outbox")


def test_prompt_arrives_at_nine_for_every_contact(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=5, contacts_per_unit=2)
    create_users(harness, users)
    harness.start(LEDGERBOT_FAKE_NOW=BEFORE_NINE)
    wait_for_prompts(harness, users, timeout=60)
    harness.wait_drained()
    assert prompts_per_chat(harness, users) == Counter({u: 1 for u in users})
    [fired_at] = asyncio.run(fire_times(harness.db_url, "ledger-prompts"))
    assert fired_at >= datetime.fromisoformat("2023-04-03T09:00:00+08:00")  # not before 09:00
    [prompt] = [m for m in harness.bot_messages(users[0]) if "推进台账" in m["text"]]
    assert [text for text, _ in buttons(prompt)] == ["1. 任务内容1"]
    assert task_button(prompt, 1).startswith("ti:")
    assert "2023-04-07" in prompt["text"]  # the deadline

    # firing the same job by hand queues nothing new
    fired = harness.cli("fire", "ledger-prompts", "--period", "2023-03")
    assert "0 new message(s)" in fired.stdout
    states = outbox(harness)["counts"]
    assert states == {"sent": len(users)}


def test_restart_across_the_fire_time_sends_once(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=3)
    create_users(harness, users)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T08:59:50+08:00")
    assert harness.bot.stop() == 0  # down before 09:00 ...
    harness.start(LEDGERBOT_FAKE_NOW=AFTER_NINE)  # ... and back after it
    assert wait_for_prompts(harness, users, timeout=60) == Counter({u: 1 for u in users})
    assert harness.bot.stop() == 0
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T09:05:00+08:00")  # once more, later
    harness.wait_drained()  # its start-up catch-up ran and found the prompt already fired
    assert prompts_per_chat(harness, users) == Counter({u: 1 for u in users})


def test_sigkill_during_fan_out_loses_nothing(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=300)
    create_users(harness, users)
    tally = Tally(Counter({(user, "prompt"): 1 for user in users}))
    harness.run_until_killed(20, is_prompt, LEDGERBOT_FAKE_NOW=BEFORE_NINE)  # mid fan-out
    tally.after_kill(harness)
    delivered_before = sum(1 for c in prompts_per_chat(harness, users).values() if c)
    assert 20 <= delivered_before < len(users)

    harness.start(LEDGERBOT_FAKE_NOW=AFTER_NINE)
    wait_for_prompts(harness, users, timeout=90)  # lease 30 s + sending
    harness.wait_drained()
    verdict = tally.verdict(harness)
    print(  # figures for the record (pytest -s)
        f"\nsigkill: {len(users)} prompts, {delivered_before} delivered before the kill, "
        f"{len(verdict.lost)} lost, {verdict.doubled} duplicated ({verdict.excused} of unknown "
        "outcome at the kill)"
    )
    assert verdict.lost == {}
    assert verdict.unexcused == {}, "duplicates of messages the kill did not leave in doubt"


@pytest.mark.parametrize("db_kind", ["postgres"])
def test_two_replicas_send_each_prompt_once(harness: Harness, tmp_path) -> None:
    users = seed_fanout(harness.db_url, units=40)
    create_users(harness, users)
    second = Harness(harness.tg, harness.db_url, tmp_path / "replica2", harness.admin_ids)
    (tmp_path / "replica2").mkdir()
    try:
        for world, port in ((harness, 18441), (second, 18442)):
            world.extra_env.update(
                LEDGERBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                LEDGERBOT_WEBHOOK_LISTEN="127.0.0.1",
                LEDGERBOT_WEBHOOK_PORT=str(port),
                LEDGERBOT_WEBHOOK_SECRET=f"secret-{port}",
                LEDGERBOT_FAKE_NOW=BEFORE_NINE,
            )
        for world in (harness, second):
            world.start()
        wait_for_prompts(harness, users, timeout=60)
        harness.wait_drained()  # both replicas idle: every due row sent
        counts = prompts_per_chat(harness, users)
        assert counts == Counter({u: 1 for u in users})
    finally:
        second.bot.kill()


def test_telegram_faults_during_fan_out(harness: Harness) -> None:
    """429 / 500 / 502 / timeouts on 10% of sends and two blocked users: everyone reachable
    gets the prompt, exactly once unless the double applied a send and answered it too late."""
    users = seed_fanout(harness.db_url, units=40)
    create_users(harness, users)
    blocked = users[:2]
    for user in blocked:
        harness.control.block(user)
    harness.expect_error("sendMessage", "bot was blocked by the user")
    harness.cli("staff", "add", "777")
    harness.control.create_user("值班人员", user_id=777)
    harness.control.create_user("管理员", user_id=harness.admin_ids[0])
    kinds = ("429", "500", "502", "timeout_after", "timeout_before")
    for seed, kind in enumerate(kinds):  # each 2%: about 10% of sends fail one way or another
        harness.control.add_fault(
            "sendMessage", kind, probability=0.02, seed=seed, count=1000, retry_after=1, hold=12
        )
    harness.start(LEDGERBOT_FAKE_NOW=BEFORE_NINE)
    reachable = users[2:]
    wait_for_prompts(harness, reachable, timeout=120)
    faults = harness.control.faults()
    harness.control.clear_faults()
    harness.wait_drained(timeout=120)
    report = outbox(harness)
    failed = [r["chat_id"] for r in report["rows"] if r["state"] == "failed"]
    assert sorted(failed) == blocked
    expected = Counter({(user, "prompt"): 1 for user in reachable})
    expected.update({(user, "prompt"): 0 for user in blocked})
    for staff in (777, harness.admin_ids[0]):  # one notice per blocked contact
        expected[(staff, "unreachable")] = len(blocked)
    tally = Tally(expected)
    tally.after_faults(faults["applied_unanswered"], ("prompt", "unreachable"))
    verdict = tally.verdict(harness)
    print(
        f"\nfaults: {len(faults['log'])} injected over {len(users)} prompts; "
        f"{verdict.received} received of {verdict.expected} expected, {verdict.doubled} "
        f"duplicated ({verdict.excused} after an applied-but-unanswered send)"
    )
    assert len(faults["log"]) >= 3  # the faults really happened
    assert verdict.lost == {}
    assert verdict.unexcused == {}
