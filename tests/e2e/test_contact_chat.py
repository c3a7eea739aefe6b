"""The contact's chat through the real bot: task states in /tasks, changing any field at the
summary, reporting again after 退回, loose task numbers, several tasks in one message, and
never a dead end."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness, Message, buttons, task_button
from tests.e2e.seed import TRANSPORT, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(harness: Harness) -> Harness:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    return harness


def lines(message: Message) -> list[str]:
    return str(message["text"]).split("\n")


def entries(world: Harness) -> list[tuple[int, str, str]]:
    status = world.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    return [(e["task"], e["status"], e["text"]) for e in status["units"][0]["entries"]]


def test_tasks_show_each_tasks_state(world: Harness) -> None:
    contact, principal = world.user("王五"), world.user("局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")
    [listing] = world.say(contact, "/tasks")
    assert [line[-4:] for line in lines(listing)[2:]] == ["【未报】", "【未报】"]
    before = len(world.bot_messages(principal))
    world.say(contact, "/report 5 序时推进 路基完成70%")
    world.control.wait_for_messages(principal, before + 1)  # the approval request is in
    world.press(contact, listing, task_button(listing, 6))  # a report on 6 is being written
    [listing] = world.say(contact, "/tasks")
    assert lines(listing)[2].startswith("5. ") and lines(listing)[2].endswith("【待审定】")
    assert lines(listing)[3].startswith("6. ") and lines(listing)[3].endswith("【草稿】")
    [theirs] = world.say(principal, "/tasks")  # the principal sees the states, no buttons
    assert lines(theirs)[2].endswith("【待审定】") and not buttons(theirs)


def test_any_field_can_be_changed_at_the_summary(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [listing] = world.say(contact, "/tasks")
    [pick_status] = world.press(contact, listing, task_button(listing, 5))
    [ask_progress] = world.press(contact, pick_status, "rs:on_track")
    [ask_problems] = world.say(contact, "路基完成70%", reply_to=ask_progress["message_id"])
    [ask_next] = world.press(contact, ask_problems, "rk")
    [summary] = world.press(contact, ask_next, "rk")
    hint, summary = world.say(contact, "好的", expect=2)  # typed at the summary: not ignored
    assert "[修改]" in hint["text"] and "请核对" in summary["text"]
    [summary] = world.say(contact, "问题：征地拆迁偏慢")
    assert "存在问题：征地拆迁偏慢" in summary["text"]
    [menu] = world.press(contact, summary, "rc:e")
    assert [text for text, _ in buttons(menu)] == [
        "完成状态",
        "进展情况",
        "存在问题",
        "下步打算",
        "附件",
    ]
    [ask_progress] = world.press(contact, menu, "rf:progress")
    assert "进展情况" in ask_progress["text"]
    [summary] = world.say(contact, "路基完成80%", reply_to=ask_progress["message_id"])
    assert "进展情况：路基完成80%" in summary["text"]  # straight back to the summary
    [menu] = world.press(contact, summary, "rc:e")
    [pick_status] = world.press(contact, menu, "rf:status")
    [summary] = world.press(contact, pick_status, "rs:done")
    assert "状态：已完成" in summary["text"] and "征地拆迁偏慢" in summary["text"]
    [menu] = world.press(contact, summary, "rc:e")
    [ask_files] = world.press(contact, menu, "rf:evidence")
    before = len(world.bot_messages(contact))
    world.control.send_photo(contact, b"\x89PNG fake", caption=None)
    world.control.wait_for_messages(contact, before + 1)
    [summary] = world.press(contact, ask_files, "rk")
    assert "附件：1" in summary["text"]
    [done] = world.press(contact, summary, "rc:s")
    assert "任务 5" in done["text"]
    assert entries(world) == [(5, "done", "路基完成80%")]


def test_reporting_again_after_a_return_starts_from_the_returned_version(world: Harness) -> None:
    contact, principal = world.user("王五"), world.user("局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")
    before, contact_before = len(world.bot_messages(principal)), len(world.bot_messages(contact))
    world.say(contact, "/report 5 序时推进 路基完成70%")
    [request] = world.control.wait_for_messages(principal, before + 1)[before:]
    [ask_reason] = world.press(principal, request, buttons(request)[1][1])
    world.say(principal, "请补充资金缺口数据", reply_to=ask_reason["message_id"])
    world.control.wait_for_messages(contact, contact_before + 2)  # the return notice is in
    [listing] = world.say(contact, "/tasks")
    assert lines(listing)[2].endswith("【退回】")
    reason, summary = world.press(contact, listing, task_button(listing, 5), expect=2)
    assert "第1版已被退回" in reason["text"] and "请补充资金缺口数据" in reason["text"]
    assert "进展情况：路基完成70%" in summary["text"] and "序时推进" in summary["text"]
    [summary] = world.say(contact, "进展：路基完成70%，资金缺口3000万元")
    [done] = world.press(contact, summary, "rc:s")
    assert "第2版" in done["text"]


def test_loose_task_numbers_and_replies_naming_a_task(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [ok] = world.say(contact, "/report 第5项 序时推进 路基完成70%")
    assert "任务 5" in ok["text"]
    [refused] = world.say(contact, "/report 十二 已完成 不是本单位的")
    assert "任务 12 不属于" in refused["text"]
    [listing] = world.say(contact, "/tasks")  # lists tasks 5 and 6
    [summary] = world.say(contact, "6、滞后 资金未到位", reply_to=listing["message_id"])
    assert "任务 6" in summary["text"] and "状态：滞后" in summary["text"]
    [done] = world.press(contact, summary, "rc:s")
    assert "任务 6" in done["text"]
    assert entries(world) == [(5, "on_track", "路基完成70%"), (6, "behind", "资金未到位")]


def test_several_numbered_lines_are_submitted_together(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [check] = world.say(contact, "5. 序时推进 路基完成70%\n桥梁开工\n6. 已完成 验收通过")
    assert "共 2 项" in check["text"] and [t for t, _ in buttons(check)] == ["提交全部"]
    [done] = world.press(contact, check, "ra")
    assert "已提交 2 项" in done["text"]
    assert entries(world) == [(5, "on_track", "路基完成70%\n桥梁开工"), (6, "done", "验收通过")]
    stale = world.press_for_answer(contact, check, "ra")  # a double tap stores nothing more
    assert stale["show_alert"] and len(entries(world)) == 2


def test_text_not_understood_gets_help_and_the_task_buttons(world: Harness) -> None:
    contact, english = world.user("王五"), world.user("Wang", language="en")
    bind(world, contact, TRANSPORT)
    bind(world, english, TRANSPORT)
    [help_zh] = world.say(contact, "你好")
    assert "没有理解" in help_zh["text"] and "5. 序时推进" in help_zh["text"]
    assert [text[:2] for text, _ in buttons(help_zh)] == ["5.", "6."]
    [help_en] = world.say(english, "hello")
    assert help_en["text"].startswith("I did not understand") and len(buttons(help_en)) == 2
    principal = world.user("局长")
    bind(world, principal, TRANSPORT, "principal")
    [theirs] = world.say(principal, "你好")  # nothing to report: the help without buttons
    assert "没有理解" in theirs["text"] and not buttons(theirs)
