"""`ledgerbot pause` / `resume`, `unbind`, `staff add|remove|list`: what each changes, seen
through the real bot (prompts that go or not, access granted or refused)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, seed
from tests.e2e.test_reporting_flows import bind

pytestmark = pytest.mark.e2e

FAKE_NOW = "2023-04-03T10:00:00+08:00"  # collecting the 2023-03 ledger
PROMPT = "2023-03 推进台账"


def prompts(harness: Harness, chat: int) -> int:
    return sum(PROMPT in (m.get("text") or "") for m in harness.bot_messages(chat))


def test_pause_and_resume_a_unit(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    contacts = {unit: harness.user(f"{unit}填报人") for unit in (TRANSPORT, DEVELOPMENT, WATER)}
    for unit, user in contacts.items():
        bind(harness, user, unit)

    # Paused from today (the prompt day): 2023-03, not yet open, will not be owed by 水务局.
    paused = harness.cli("pause", WATER).stdout
    assert paused == f"{WATER}: paused from 2023-04-03 until resumed (open periods unchanged)\n"
    fired = harness.cli("fire", "ledger-prompts", "--period", "2023-03")
    assert "2 new message(s)" in fired.stdout  # 市交通运输局 and 市发展改革委
    harness.control.wait_until(lambda: prompts(harness, contacts[DEVELOPMENT]), 60)
    harness.wait_drained()
    assert {u: prompts(harness, c) for u, c in contacts.items()} == {
        TRANSPORT: 1,
        DEVELOPMENT: 1,
        WATER: 0,
    }

    # Resumed the same day: the pause never took effect, so the open 2023-03 owes 水务局 again.
    resumed = harness.cli("resume", WATER).stdout
    assert resumed == f"{WATER}: resumed from 2023-04-03 (2023-03: -0 +1 obligations)\n"
    fired = harness.cli("fire", "ledger-prompts", "--period", "2023-03")
    assert "1 new message(s)" in fired.stdout
    harness.control.wait_until(lambda: prompts(harness, contacts[WATER]), 60)
    harness.wait_drained()
    assert {u: prompts(harness, c) for u, c in contacts.items()} == {
        TRANSPORT: 1,
        DEVELOPMENT: 1,
        WATER: 1,
    }

    unknown = harness.cli("pause", "不存在的单位", check=False)
    assert unknown.returncode != 0 and "unknown unit '不存在的单位'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_unbind_keeps_the_entries_and_staff_come_and_go(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    contact = harness.user("王五")
    bind(harness, contact, TRANSPORT)
    [ok] = harness.say(contact, "/report 5 序时推进 路基完成70%")
    assert "任务 5" in ok["text"]

    assert harness.cli("unbind", str(contact)).stdout == f"unbound 1 binding(s) of {contact}\n"
    [refused] = harness.say(contact, "/tasks")
    assert "无权" in refused["text"] and TRANSPORT not in refused["text"]
    [entry] = harness.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)["units"][0][
        "entries"
    ]
    assert (entry["task"], entry["text"]) == (5, "路基完成70%")  # history stays
    again = harness.cli("unbind", str(contact), check=False)
    assert again.returncode != 0 and f"{contact} has no active binding" in again.stderr

    staff = 555_000_001
    harness.control.create_user("值班人员", user_id=staff)
    [refused] = harness.say(staff, "/overdue")
    assert "无权" in refused["text"]
    assert harness.cli("staff", "add", str(staff)).stdout == f"{staff} is now staff\n"
    assert harness.cli_json("staff", "list") == [{"telegram_id": staff, "admin": False}]
    [served] = harness.say(staff, "/overdue")
    assert served["text"] == "2023-03 暂无逾期未报单位。"
    assert harness.cli("staff", "remove", str(staff)).stdout == f"{staff} removed from staff\n"
    assert harness.cli_json("staff", "list") == []
    [refused] = harness.say(staff, "/overdue")
    assert "无权" in refused["text"]
    again = harness.cli("staff", "remove", str(staff), check=False)
    assert again.returncode != 0 and f"{staff} is not staff" in again.stderr
