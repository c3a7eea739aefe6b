"""Replying to the monthly prompt, milestone checks and the digest, through the real bot."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from models import MilestoneResult
from models.db import make_engine
from tests.e2e.harness import Harness, Message, buttons, task_button
from tests.e2e.seed import WATER, bind_contacts, seed, seed_fanout
from tests.e2e.test_reporting_flows import bind

pytestmark = pytest.mark.e2e


def wait_for(harness: Harness, chat: int, needle: str, timeout: float = 60) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in harness.bot_messages(chat):
            if needle in (message.get("text") or message.get("caption") or ""):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no message with {needle!r} in {chat}:\\n{harness.bot.log()[-2000:]}")


def test_reply_to_the_prompt_records_that_tasks_progress(harness: Harness) -> None:
    seed(harness.db_url)
    contact = harness.user("水务填报人")
    bind_contacts(harness.db_url, {WATER: contact})  # 市水务局 leads exactly one task: 8
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T08:59:57+08:00")  # the prompt is at 09:00
    prompt = wait_for(harness, contact, "推进台账")
    assert [text for text, _ in buttons(prompt)] == ["8. 强力推进水利设施建设。"]
    assert task_button(prompt, 8).startswith("ti:") and "回复本消息" in prompt["text"]
    [ask_status] = harness.say(contact, "毗河供水二期已开工。", reply_to=prompt["message_id"])
    [summary] = harness.press(contact, ask_status, "rs:on_track")
    assert "毗河供水二期已开工" in summary["text"]
    [done] = harness.press(contact, summary, "rc:s")
    assert "任务 8" in done["text"]
    status = harness.cli_json("status", "--period", "2023-03", "--unit", WATER)
    [entry] = status["units"][0]["entries"]
    assert (entry["task"], entry["text"]) == (8, "毗河供水二期已开工。")


def test_milestone_check_is_answered_and_stored(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=1)
    contact = users[0]
    harness.control.create_user("填报人", user_id=contact)
    asyncio.run(_add_milestone(harness.db_url))
    harness.start(LEDGERBOT_FAKE_NOW="2023-06-20T10:00:00+08:00")
    fired = harness.cli("fire", "milestone-checks", "--period", "2023Q2")
    assert "1 new message(s)" in fired.stdout
    check = wait_for(harness, contact, "节点目标核查")
    assert "6月底前完成主体工程" in check["text"]
    assert [text for text, _ in buttons(check)] == ["已完成", "部分完成", "未完成"]
    [ask] = harness.press(contact, check, buttons(check)[1][1])
    assert "说明" in ask["text"]
    [done] = harness.say(contact, "主体完成80%，设备采购延后", reply_to=ask["message_id"])
    assert "部分完成" in done["text"]
    result = asyncio.run(_milestone_result(harness.db_url))
    assert result == ("partly", "主体完成80%，设备采购延后")
    again = harness.cli("fire", "milestone-checks", "--period", "2023Q2")
    assert "0 new message(s)" in again.stdout


async def _add_milestone(url: str) -> None:
    from datetime import date

    from models import Milestone, Task
    from models.db import make_session_factory, transaction

    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        task = await session.scalar(select(Task).where(Task.number == 1))
        assert task is not None
        session.add(
            Milestone(
                task_id=task.id, quarter=2, target="6月底前完成主体工程", due_date=date(2023, 6, 30)
            )
        )
    await engine.dispose()


async def _milestone_result(url: str) -> tuple[str, str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        row = (
            await connection.execute(select(MilestoneResult.outcome, MilestoneResult.explanation))
        ).one()
    await engine.dispose()
    return (row[0].value if hasattr(row[0], "value") else row[0], row[1])


def test_monday_digest_reaches_subscribed_groups_only(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-02T10:00:00+08:00")  # a Sunday: nothing fires
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    subscribed = harness.control.create_group("推进工作群", members=[admin])["id"]
    quiet = harness.control.create_group("其他群", members=[admin])["id"]
    [ok] = harness.say(admin, "/subscribe", chat_id=subscribed)
    assert "订阅" in ok["text"]
    assert harness.bot.stop() == 0
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T08:59:57+08:00")  # Monday, the digest at 09:00
    digest = wait_for(harness, subscribed, "每周台账简报 2023-03")
    assert "2023-03" in digest["text"] and "应报" in digest["text"]
    harness.wait_drained()  # everything due was sent: the quiet group's digest cannot still come
    assert harness.bot_messages(quiet) == []


def test_reply_to_any_one_task_message_of_the_bot_counts(harness: Harness) -> None:
    """A reply is read from the replied message's task button when no outbox row names it
    (a reply faster than the dispatcher's bookkeeping, or a reply to the /tasks list)."""
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00")
    contact = harness.user("水务填报人")
    bind(harness, contact, WATER)
    [listing] = harness.say(contact, "/tasks")
    [ask_status] = harness.say(contact, "张老引水工程完工。", reply_to=listing["message_id"])
    assert [d for _, d in buttons(ask_status)][:1] == ["rs:done"]
    [summary] = harness.press(contact, ask_status, "rs:done")
    [done] = harness.press(contact, summary, "rc:s")
    assert "任务 8" in done["text"]
