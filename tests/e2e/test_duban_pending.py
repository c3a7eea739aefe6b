"""/pending through the real bot: the principal's queue (entries waiting for 审定, 销号 to
approve) with [全部审定通过] and a button per item; staff's queue (延期申请, 销号 to confirm);
refusals (nothing waiting, an unbound user, a group chat, a contact pressing the principal's
button, a second [全部审定通过] that finds nothing left)."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_duban_close import PRINCIPAL, _principal
from tests.e2e.test_reminders_and_escalations import texts, wait_for, wait_message

pytestmark = pytest.mark.e2e

CONTACTS = {TRANSPORT: 650_000_001, DEVELOPMENT: 650_000_002, WATER: 650_000_003}


def labels(message: dict) -> list[str]:
    return [text for text, _ in buttons(message)]


def test_the_principals_and_the_bureaus_queues(harness: Harness) -> None:
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(_principal(harness.db_url))
    for user in (*CONTACTS.values(), PRINCIPAL):
        harness.control.create_user("单位人员", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    stranger = harness.user("路人")
    contact = CONTACTS[TRANSPORT]
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00")  # no 待办提醒 that day

    for line in ("/report 5 已完成 控制性工程开工", "/report 6 序时推进 线路优化中"):
        [ok] = harness.say(contact, line)
        assert "任务" in ok["text"]
    [asked] = harness.say(contact, "/close 5")
    assert "销号申请" in asked["text"]
    [extend] = harness.say(contact, "/extend 6 2023-04-14 线路调整待批复")
    assert "延期申请" in extend["text"]
    wait_message(harness, PRINCIPAL, "销号申请")

    [queue] = harness.say(PRINCIPAL, "/pending")
    assert "待审定台账（2 项）" in queue["text"]
    assert "待审核销号（1 项）" in queue["text"]
    assert labels(queue) == [
        "全部审定通过", f"审定通过 {TRANSPORT} 任务5", f"审定通过 {TRANSPORT} 任务6",
        f"同意销号 {TRANSPORT} 任务5",
    ]  # fmt: skip
    [staff_view] = harness.say(admin, "/pending")
    assert "待审核延期申请（1 项）" in staff_view["text"] and "线路调整待批复" in staff_view["text"]
    assert labels(staff_view) == [f"同意延期 {TRANSPORT} 任务6", "不同意"]

    approve_all = buttons(queue)[0][1]
    assert "无权" in harness.press_for_answer(contact, queue, approve_all)["text"]
    [older] = harness.say(PRINCIPAL, "/pending")  # a second copy, pressed after the first
    done = harness.press_for_answer(PRINCIPAL, queue, approve_all)
    assert done["text"] == "已全部审定通过 2 项。"
    for number in (5, 6):
        assert wait_for(harness, contact, f"任务 {number}（2023-03）已审定通过")

    def requests_decided() -> bool:  # the 审定 requests approved here lose their buttons too
        shown = [m for m in harness.bot_messages(PRINCIPAL) if m["text"].startswith("待审定 ")]
        return len(shown) == 2 and all(
            m["text"].endswith("\n\n✅ 已审定通过") and not buttons(m) for m in shown
        )

    harness.control.wait_until(requests_decided, 30)
    again = harness.press_for_answer(PRINCIPAL, older, approve_all)
    assert again["text"] == "已全部审定通过 0 项。"  # nothing left: nothing changes

    [left] = harness.say(PRINCIPAL, "/pending")
    assert labels(left) == [f"同意销号 {TRANSPORT} 任务5"]
    harness.press_for_answer(PRINCIPAL, left, buttons(left)[0][1])
    wait_message(harness, admin, "销号待确认")
    [bureau] = harness.say(admin, "/pending")
    assert labels(bureau) == [
        f"同意延期 {TRANSPORT} 任务6",
        "不同意",
        f"确认销号 {TRANSPORT} 任务5",
    ]

    [nothing] = harness.say(CONTACTS[WATER], "/pending")
    assert nothing["text"] == "没有待办事项。"
    [refused] = harness.say(stranger, "/pending")
    assert "无权" in refused["text"]
    group = harness.control.create_group("推进工作群", members=[PRINCIPAL])["id"]
    [private] = harness.say(PRINCIPAL, "/pending", chat_id=group)
    assert "私聊" in private["text"]
    assert texts(harness, contact, "已审定通过") != []
