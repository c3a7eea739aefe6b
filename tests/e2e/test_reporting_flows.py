"""Binding, every reporting path, approval and editing — through the real bot process."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness, buttons, task_button
from tests.e2e.seed import TRANSPORT, WATER, seed

pytestmark = pytest.mark.e2e

FAKE_NOW = "2023-04-03T10:00:00+08:00"  # collecting the 2023-03 ledger, before the 7th


@pytest.fixture
def world(harness: Harness) -> Harness:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    return harness


def bind(world: Harness, user: int, unit: str, role: str = "contact") -> str:
    invite = world.cli_json("invite", unit, "--role", role)
    assert invite["link"] == f"https://t.me/ledger_test_bot?start={invite['code']}"
    [reply, *_] = world.say(user, f"/start {invite['code']}")
    # A contact bound while a ledger is open gets its prompt and the unit's 交办 right after
    # the binding (outbox rows): let them arrive, so the test's next answer is its own.
    world.wait_drained()
    return str(reply["text"])


def test_binding_with_invite_codes(world: Harness) -> None:
    contact = world.user("王五")
    assert TRANSPORT in bind(world, contact, TRANSPORT)
    invite = world.cli_json("invite", WATER)
    assert set(invite) == {"code", "link", "unit", "role", "expires_at"}
    stranger = world.user("赵六")
    [bad] = world.say(stranger, "/start not-a-real-code")
    assert "无效" in bad["text"]
    world.say(stranger, f"/start {invite['code']}")
    [used] = world.say(world.user("钱七"), f"/start {invite['code']}")
    assert "已被使用" in used["text"]


def test_step_by_step_report_with_evidence(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [listing] = world.say(contact, "/tasks")
    assert "2023-03" in listing["text"] and "5." in listing["text"]
    assert [text[:2] for text, _ in buttons(listing)] == ["5.", "6."]
    assert all(data.startswith("ti:") for _, data in buttons(listing))

    [pick_status] = world.press(contact, listing, task_button(listing, 5))
    assert [text for text, _ in buttons(pick_status)] == ["已完成", "序时推进", "滞后", "未启动"]
    [ask_progress] = world.press(contact, pick_status, "rs:on_track")
    assert "进展情况" in ask_progress["text"]
    [ask_problems] = world.say(
        contact, "控制性工程已开工，完成投资2亿元。", reply_to=ask_progress["message_id"]
    )
    assert "存在问题" in ask_problems["text"]
    before = len(world.bot_messages(contact))
    world.control.send_photo(contact, b"\x89PNG fake", caption=None)
    world.control.wait_for_messages(contact, before + 1)
    [ask_next] = world.say(contact, "征地拆迁进度偏慢。")
    assert "下步打算" in ask_next["text"]
    [summary] = world.press(contact, ask_next, "rk")
    assert "征地拆迁进度偏慢" in summary["text"] and "附件：1" in summary["text"]
    [done] = world.press(contact, summary, "rc:s")
    assert "已提交：任务 5" in done["text"] and "已计入" in done["text"]

    status = world.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    [unit] = status["units"]
    assert (unit["unit"], unit["owed"], unit["submitted"]) == (TRANSPORT, 2, 1)
    assert (unit["contacts"], unit["principal"]) == (1, False)
    [entry] = unit["entries"]
    # No principal is bound: the entry counts, but it was not approved by anyone.
    assert entry["task"] == 5 and entry["status"] == "on_track" and not entry["approved"]
    assert entry["plan"] == "工作要点"
    assert entry["text"] == "控制性工程已开工，完成投资2亿元。" and not entry["late"]

    # pressing submit again (a double tap) records nothing new
    stale = world.press_for_answer(contact, summary, "rc:s")
    assert "失效" in stale["text"] and stale["show_alert"]
    again = world.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    assert len(again["units"][0]["entries"]) == 1


def test_report_shortcut_and_editing_creates_versions(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [ok] = world.say(contact, "/report 6 滞后 受雨季影响，进度滞后一周")
    assert "任务 6" in ok["text"]
    [ok2] = world.say(contact, "/report 6 on_track 已追回进度")
    assert "第2版" in ok2["text"]
    [bad] = world.say(contact, "/report 8 done 不是本单位的任务")
    assert "不属于" in bad["text"]
    [usage] = world.say(contact, "/report 6")
    assert "用法" in usage["text"]
    status = world.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    [entry] = status["units"][0]["entries"]
    assert (entry["task"], entry["status"], entry["text"]) == (6, "on_track", "已追回进度")


def test_principal_approves_and_returns(world: Harness) -> None:
    contact, principal = world.user("王五"), world.user("局长")
    bind(world, contact, TRANSPORT)
    assert "主要负责同志" in bind(world, principal, TRANSPORT, "principal")

    before = len(world.bot_messages(principal))
    [ok] = world.say(contact, "/report 5 序时推进 路基完成70%")
    assert "审定" in ok["text"]
    [request] = world.control.wait_for_messages(principal, before + 1)[before:]
    assert "待审定" in request["text"] and "路基完成70%" in request["text"]
    approve, reject = (data for _, data in buttons(request))
    status = world.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    assert status["units"][0]["submitted"] == 0  # not counted before 审定

    # the contact cannot approve their own entry (forged button press)
    assert world.press_for_answer(contact, request, approve)["show_alert"]

    [approved] = world.press(principal, request, approve)
    assert "已审定通过" in approved["text"]
    assert (
        world.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)["units"][0][
            "submitted"
        ]
        == 1
    )

    before = len(world.bot_messages(principal))
    contact_before = len(world.bot_messages(contact))
    world.say(contact, "/report 6 滞后 资金未到位")
    [request2] = world.control.wait_for_messages(principal, before + 1)[before:]
    [ask_reason] = world.press(principal, request2, [d for _, d in buttons(request2)][1])
    assert "退回原因" in ask_reason["text"]
    [returned] = world.say(principal, "请补充资金缺口数据", reply_to=ask_reason["message_id"])
    assert "已退回" in returned["text"]
    notices = world.control.wait_for_messages(contact, contact_before + 2)[contact_before:]
    assert any("退回修改" in m["text"] and "请补充资金缺口数据" in m["text"] for m in notices)
    del reject


def test_flow_survives_a_restart_and_user_text_is_escaped(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [listing] = world.say(contact, "/tasks")
    [pick_status] = world.press(contact, listing, task_button(listing, 6))
    [ask_progress] = world.press(contact, pick_status, "rs:behind")
    assert world.bot.stop() == 0  # the bot restarts between two steps
    world.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    [ask_problems] = world.say(
        contact, "<b>资金</b> & 用地 <未到位>", reply_to=ask_progress["message_id"]
    )
    assert "存在问题" in ask_problems["text"]
    [ask_next] = world.press(contact, ask_problems, "rk")
    [summary] = world.press(contact, ask_next, "rk")
    assert "<b>资金</b> & 用地 <未到位>" in summary["text"]  # shown literally, not as markup
    [done] = world.press(contact, summary, "rc:s")
    assert "任务 6" in done["text"]


def test_refusals_reveal_nothing(world: Harness) -> None:
    stranger = world.user("路人")
    for command in ("/status", "/tasks", "/overdue", "/report 5 done x", f"/invite {TRANSPORT}"):
        [reply] = world.say(stranger, command)
        assert "无权" in reply["text"], command
        assert TRANSPORT not in reply["text"] and "任务" not in reply["text"]
    [noise] = world.say(stranger, "你好")
    assert "无权" in noise["text"]
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    for command in ("/overdue", f"/status {WATER}", f"/invite {WATER}"):
        [reply] = world.say(contact, command)
        assert "无权" in reply["text"], command


def test_status_for_each_role_and_english(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    world.say(contact, "/report 5 done 已完工")
    world.cli("staff", "add", "555")
    staff = 555
    world.control.create_user("Staff", user_id=staff, language_code="en")
    [overall] = world.say(staff, "/status")
    assert "Ledger 2023-03" in overall["text"]
    assert TRANSPORT in overall["text"] and WATER in overall["text"]
    [one_unit] = world.say(staff, f"/status {TRANSPORT}")
    assert "task 5" in one_unit["text"]
    [one_task] = world.say(staff, "/status 5")
    assert "Task 5" in one_task["text"]
    [overdue] = world.say(staff, "/overdue")
    assert overdue["text"] == "No unit is overdue for 2023-03."  # 04-03: the 7th is ahead

    [own] = world.say(contact, "/status")
    assert TRANSPORT in own["text"] and WATER not in own["text"]
    [lang] = world.say(contact, "/lang en")
    assert "English" in lang["text"]
    [english_help] = world.say(contact, "/help")
    assert "/report N status text" in english_help["text"]


def test_group_chats(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    admin = world.admin_ids[0]
    world.control.create_user("Admin", user_id=admin)
    group = world.control.create_group("台账工作群", members=[admin, contact])["id"]
    [nope] = world.say(contact, "/report 5 done x", chat_id=group)
    assert "私聊" in nope["text"]
    [refused] = world.say(contact, "/subscribe", chat_id=group)
    assert "无权" in refused["text"]
    [subscribed] = world.say(admin, "/subscribe", chat_id=group)
    assert "订阅" in subscribed["text"]


def test_long_status_is_paginated(harness: Harness) -> None:
    from tests.e2e.seed import seed_fanout

    seed_fanout(harness.db_url, units=20)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    [page_one] = harness.say(admin, "/status")
    assert "第 1/2 页" in page_one["text"] and "测试单位0001" in page_one["text"]
    assert [text for text, _ in buttons(page_one)] == ["▶"]
    harness.control.press_button(admin, page_one["message_id"], data=buttons(page_one)[0][1])

    def edited() -> dict | None:
        for message in harness.bot_messages(admin):
            if message["message_id"] == page_one["message_id"] and "第 2/2 页" in message["text"]:
                return message
        return None

    page_two = harness.control.wait_until(edited, 10)
    assert "测试单位0020" in page_two["text"] and "测试单位0001" not in page_two["text"]
