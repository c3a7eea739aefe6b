"""Who is reminded and who is escalated, through the real bot: exactly the units still
missing something, for the monthly ledger and for the quarter's milestone checks; and a
contact who blocked the bot is left out of later rounds until they write again."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select

from models import Milestone, Task
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, Message, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed, seed_fanout

pytestmark = pytest.mark.e2e

REGISTRY_UNITS = (TRANSPORT, DEVELOPMENT, WATER, "各县(区)", "雁江区")
CONTACTS = {TRANSPORT: 610_000_001, DEVELOPMENT: 610_000_002, WATER: 610_000_003}


def texts(harness: Harness, chat: int, needle: str) -> list[str]:
    found = [m.get("text") or "" for m in harness.bot_messages(chat)]
    return [t for t in found if needle in t]


def wait_for(harness: Harness, chat: int, needle: str) -> str:
    def arrived() -> list[str]:
        return texts(harness, chat, needle)

    try:
        return harness.control.wait_until(arrived, 60)[0]
    except TimeoutError as error:
        raise AssertionError(f"no {needle!r} in {chat}:\n{harness.bot.log()[-3000:]}") from error


def named(text: str, names: tuple[str, ...] = REGISTRY_UNITS) -> set[str]:
    return {name for name in names if name in text}


def test_reminders_escalation_and_overdue_name_exactly_the_units_missing_something(
    harness: Harness,
) -> None:
    """市水务局 reports its one task, 市交通运输局 one of its two, 市发展改革委 nothing: the
    deadline-day reminder goes to the last two only, and the escalation and /overdue name
    exactly those two (各县(区) only supports: it owes nothing)."""
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    for unit, user in CONTACTS.items():
        harness.control.create_user(f"{unit}填报人", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-06T10:00:00+08:00")  # before the 7th
    [ok] = harness.say(CONTACTS[WATER], "/report 8 已完成 张老引水工程完工")
    assert "任务 8" in ok["text"]
    [ok] = harness.say(CONTACTS[TRANSPORT], "/report 5 序时推进 路基完成70%")
    assert "任务 5" in ok["text"]
    assert harness.bot.stop() == 0

    harness.start(LEDGERBOT_FAKE_NOW="2023-04-07T08:59:57+08:00")  # deadline-day reminder
    for unit in (TRANSPORT, DEVELOPMENT):
        assert "2023-03" in wait_for(harness, CONTACTS[unit], "提醒")
    harness.wait_drained()  # every reminder due was sent: none can still come
    assert texts(harness, CONTACTS[WATER], "提醒") == []
    assert [len(texts(harness, CONTACTS[u], "提醒")) for u in (TRANSPORT, DEVELOPMENT)] == [1, 1]
    assert harness.bot.stop() == 0

    harness.start(LEDGERBOT_FAKE_NOW="2023-04-10T08:59:57+08:00")  # escalation, next workday
    escalation = wait_for(harness, admin, "逾期通报")
    assert "2023-03" in escalation and named(escalation) == {TRANSPORT, DEVELOPMENT}
    [overdue] = harness.say(admin, "/overdue")
    assert "2023-03 逾期未报" in overdue["text"]
    assert named(overdue["text"]) == {TRANSPORT, DEVELOPMENT}
    harness.wait_drained()
    assert len(texts(harness, admin, "逾期通报")) == 1


async def _milestones(url: str) -> None:
    """A second-quarter target for every task of the fan-out registry."""
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        for task in (await session.scalars(select(Task))).all():
            target = f"任务{task.number}二季度目标"
            session.add(
                Milestone(task_id=task.id, quarter=2, target=target, due_date=date(2023, 6, 30))
            )
    await engine.dispose()


def test_milestone_reminders_and_escalation_name_only_the_unanswered(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=3)  # 测试单位0001…0003, leading tasks 1…3
    asyncio.run(_milestones(harness.db_url))
    for user in users:
        harness.control.create_user("填报人", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    harness.start(LEDGERBOT_FAKE_NOW="2023-06-21T10:00:00+08:00")
    assert (
        "3 new message(s)" in harness.cli("fire", "milestone-checks", "--period", "2023Q2").stdout
    )
    check = wait_message(harness, users[0], "节点目标核查")
    met = next(data for text, data in buttons(check) if text == "已完成")
    [ask] = harness.press(users[0], check, met)
    [done] = harness.say(users[0], "已按期完成", reply_to=ask["message_id"])
    assert "任务 1" in done["text"]

    fired = harness.cli("fire", "milestone-reminders", "--period", "2023Q2")
    assert "2 new message(s)" in fired.stdout
    for user, number in ((users[1], 2), (users[2], 3)):
        assert f"任务 {number}" in wait_for(harness, user, "请答复 2023Q2")
    fired = harness.cli("fire", "milestone-escalations", "--period", "2023Q2")
    assert "1 new message(s)" in fired.stdout
    escalation = wait_for(harness, admin, "节点核查逾期")
    names = ("测试单位0001", "测试单位0002", "测试单位0003")
    assert named(escalation, names) == {"测试单位0002", "测试单位0003"}
    harness.wait_drained()
    assert texts(harness, users[0], "请答复") == []  # answered: no reminder


def wait_message(harness: Harness, chat: int, needle: str) -> Message:
    wait_for(harness, chat, needle)
    return next(m for m in harness.bot_messages(chat) if needle in (m.get("text") or ""))


def test_an_unreachable_contact_is_left_out_until_they_write_again(harness: Harness) -> None:
    """The prompt to a contact who blocked the bot fails once (403) and marks them
    unreachable; the reminder round leaves them out (no second 403); once they write to the
    bot again they are reachable, and the next round includes them."""
    users = seed_fanout(harness.db_url, units=2)
    for user in users:
        harness.control.create_user("填报人", user_id=user)
    blocked, other = users
    harness.control.create_user("管理员", user_id=harness.admin_ids[0])  # told of the 403
    harness.control.block(blocked)
    harness.expect_error("sendMessage", "bot was blocked by the user", times=1)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00")
    assert "2 new message(s)" in harness.cli("fire", "ledger-prompts", "--period", "2023-03").stdout
    wait_for(harness, other, "2023-03 推进台账")
    harness.wait_drained()
    rows = harness.cli_json("outbox", "--state", "failed")["rows"]
    assert [(r["kind"], r["chat_id"]) for r in rows] == [("ledger-prompt", blocked)]

    fired = harness.cli("fire", "reminders", "--period", "2023-03")
    assert "1 new message(s)" in fired.stdout  # the reachable contact only
    wait_for(harness, other, "提醒")
    harness.wait_drained()  # and no second 403 (expect_error counts exactly one)

    harness.control.block(blocked, False)
    harness.say(blocked, "/help")  # writing to the bot again makes them reachable
    fired = harness.cli("fire", "reminders", "--period", "2023-03")
    assert "1 new message(s)" in fired.stdout
    assert "2023-03" in wait_for(harness, blocked, "提醒")
