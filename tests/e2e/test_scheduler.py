"""The 09:00 prompt, end to end: on time, once, across restarts, crashes and two replicas."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.e2e.harness import Harness, buttons, task_button
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


def outbox(harness: Harness) -> dict:
    return harness.cli_json("outbox")


def test_prompt_arrives_at_nine_for_every_contact(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=5, contacts_per_unit=2)
    create_users(harness, users)
    harness.start(LEDGERBOT_FAKE_NOW=BEFORE_NINE)
    assert prompts_per_chat(harness, users) == Counter({u: 0 for u in users})  # not before 09:00
    counts = wait_for_prompts(harness, users, timeout=60)
    assert counts == Counter({u: 1 for u in users})
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
    time.sleep(2)
    assert prompts_per_chat(harness, users) == Counter({u: 1 for u in users})


def test_sigkill_during_fan_out_loses_nothing(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=300)
    create_users(harness, users)
    harness.start(LEDGERBOT_FAKE_NOW=BEFORE_NINE)
    deadline = time.monotonic() + 30
    while sum(prompts_per_chat(harness, users[:60]).values()) < 20:
        assert time.monotonic() < deadline, harness.bot.log()[-2000:]
        time.sleep(0.1)
    harness.bot.kill()  # SIGKILL in the middle of the fan-out
    delivered_before = sum(1 for c in prompts_per_chat(harness, users).values() if c)
    assert delivered_before < len(users)

    harness.start(LEDGERBOT_FAKE_NOW=AFTER_NINE)
    counts = wait_for_prompts(harness, users, timeout=90)  # lease 30 s + sending
    missing = [u for u in users if counts[u] == 0]
    assert missing == []
    doubled = sum(c - 1 for c in counts.values() if c > 1)
    possible = sum(row["possible_duplicates"] for row in outbox(harness)["rows"])
    print(  # figures for the record (pytest -s)
        f"\nsigkill: {len(users)} prompts, {delivered_before} delivered before the kill, "
        f"0 lost, {doubled} duplicated, {possible} counted as unknown outcome"
    )
    assert doubled <= possible, f"{doubled} duplicates, only {possible} were unknown-outcome"


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
        time.sleep(2)
        counts = prompts_per_chat(harness, users)
        assert counts == Counter({u: 1 for u in users})
    finally:
        second.bot.kill()


def test_telegram_faults_during_fan_out(harness: Harness) -> None:
    """429 / 500 / 502 / timeouts on 10% of sends, two blocked users and a migrated group:
    everyone reachable gets the prompt, exactly once unless the outcome was unknown."""
    users = seed_fanout(harness.db_url, units=40)
    create_users(harness, users)
    blocked = users[:2]
    for user in blocked:
        harness.control.block(user)
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
    counts = wait_for_prompts(harness, reachable, timeout=120)
    assert [u for u in reachable if counts[u] == 0] == []
    doubled = sum(c - 1 for c in counts.values() if c > 1)
    report = outbox(harness)
    possible = sum(row["possible_duplicates"] for row in report["rows"])
    assert doubled <= possible
    failed = [r["chat_id"] for r in report["rows"] if r["state"] == "failed"]
    assert sorted(failed) == blocked
    fired = harness.control.stats()["faults_fired"]
    print(
        f"\nfaults: {fired} injected over {len(users)} prompts; {len(reachable)} delivered, "
        f"{doubled} duplicated ({possible} unknown outcome), {len(failed)} blocked reported"
    )
    assert fired >= 3  # the faults really happened
    harness.control.clear_faults()
    notices = [m for m in harness.bot_messages(777) if "unreachable" in (m.get("text") or "")]
    deadline = time.monotonic() + 20
    while len(notices) < len(blocked) and time.monotonic() < deadline:
        time.sleep(0.3)
        notices = [m for m in harness.bot_messages(777) if "unreachable" in (m.get("text") or "")]
    assert len(notices) == len(blocked)
    admin_notices = harness.bot_messages(harness.admin_ids[0])
    assert sum("unreachable" in (m.get("text") or "") for m in admin_notices) == len(blocked)
