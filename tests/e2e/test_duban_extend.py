"""延期申请 through the real bot: a contact asks (after the deadline: allowed, and said), staff get
[同意] [不同意] with the reason, the decision goes back to the unit and shows on the pressed
message; the approved task is then not late; every refusal (bad input, a task not the unit's,
a date not later, a second request, a second press, not a contact, a group chat)."""

from __future__ import annotations

import asyncio

import pytest

from models import Staff
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_duban_close import task_states
from tests.e2e.test_reminders_and_escalations import wait_for, wait_message

pytestmark = pytest.mark.e2e

CONTACTS = {TRANSPORT: 640_000_001, DEVELOPMENT: 640_000_002, WATER: 640_000_003}
COLLEAGUE = 640_000_010  # a second member of the bureau's staff


async def _staff(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        session.add(Staff(telegram_user_id=COLLEAGUE))
    await engine.dispose()


def test_extension_requested_after_the_deadline_approved_and_not_late(harness: Harness) -> None:
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(_staff(harness.db_url))
    for user in (*CONTACTS.values(), COLLEAGUE):
        harness.control.create_user("填报人", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    contact = CONTACTS[TRANSPORT]
    # Monday 10 April 2023: the 2023-03 ledger was due when Friday the 7th ended.
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-10T10:00:00+08:00")

    [usage] = harness.say(contact, "/extend 5 下周五")
    assert usage["text"].startswith("用法：/extend 任务序号 YYYY-MM-DD 理由")
    [not_ours] = harness.say(contact, "/extend 8 2023-04-14 协调中")
    assert "任务 8 不属于您单位本期的填报任务" in not_ours["text"]
    [earlier] = harness.say(contact, "/extend 5 2023-04-06 协调中")
    assert earlier["text"] == "任务 5 的延期日期须晚于现有截止日期。"
    [staff_only] = harness.say(admin, "/extend 5 2023-04-14 协调中")
    assert "只有责任单位的填报人可以填报" in staff_only["text"]
    group = harness.control.create_group("推进工作群", members=[contact])["id"]
    [private] = harness.say(contact, "/extend 5 2023-04-14 协调中", chat_id=group)
    assert "私聊" in private["text"]

    [ack] = harness.say(contact, "/extend 5 2023-04-14 征地协调未完成")
    assert ack["text"] == (
        "已提交延期申请：任务 5 申请延至 2023-04-14，等待市同城化发展工作局审核。"
        "（本申请在截止时间之后提出）"
    )
    [again] = harness.say(contact, "/extend 5 2023-04-20 再次申请")
    assert again["text"] == "任务 5 已有待处理的延期申请，请等待审核结果。"

    request = wait_message(harness, admin, "延期申请")
    assert f"{TRANSPORT} 任务 5" in request["text"]
    assert "申请延至 2023-04-14（本申请在截止时间之后提出）" in request["text"]
    assert "理由：征地协调未完成" in request["text"]
    approve, reject = (data for _, data in buttons(request))
    harness.press_for_answer(admin, request, approve)
    told = wait_for(harness, contact, "延期申请已同意")
    assert f"{TRANSPORT} 任务 5（2023-03 台账）报送截止延至 2023-04-14" in told

    def edited() -> str | None:
        now = next(
            m for m in harness.bot_messages(admin) if m["message_id"] == request["message_id"]
        )
        text = now.get("text") or ""
        return text if "已同意延期至 2023-04-14" in text and not now.get("reply_markup") else None

    harness.control.wait_until(edited, 30)
    [tasks] = harness.say(contact, "/tasks")  # the extended task is not 逾期 any more
    assert task_states(tasks["text"]) == {5: "未报，已延期至 2023-04-14", 6: "逾期"}
    # The colleague's copy still has buttons: pressing one now is refused, nothing changes.
    theirs = wait_message(harness, COLLEAGUE, "延期申请")
    late_press = harness.press_for_answer(COLLEAGUE, theirs, reject)
    assert late_press["text"] == "该延期申请已处理，无需重复操作。"
    # A contact pressing the colleague's button (a forwarded or guessed one) is refused.
    refused = harness.press_for_answer(contact, theirs, approve)
    assert "无权" in refused["text"]

    # Reported on Monday: task 5 is within its extension (not late), task 6 is late.
    for number in (5, 6):
        [ok] = harness.say(contact, f"/report {number} 序时推进 推进中")
        assert f"任务 {number}" in ok["text"]
    document = harness.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    [unit] = document["units"]
    assert {e["task"]: e["late"] for e in unit["entries"]} == {5: False, 6: True}
