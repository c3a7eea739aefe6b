"""The report flow cannot be steered from a group, edits are handled honestly, and long
answers survive Telegram's message size — through the real bot."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.harness import Harness, Message, buttons, task_button
from tests.e2e.seed import TRANSPORT
from tests.e2e.test_contact_chat import entries, world
from tests.e2e.test_reporting_flows import bind
from tests.security.world import forge_callback

pytestmark = pytest.mark.e2e
__all__ = ["world"]


def test_report_buttons_pressed_in_a_group_are_refused(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    group = world.control.create_group("台账工作群", members=[contact])["id"]
    [in_group] = world.say(contact, "/tasks", chat_id=group)  # "please use a private chat"
    [listing] = world.say(contact, "/tasks")
    [pick_status] = world.press(contact, listing, task_button(listing, 5))
    for forged in ("rs:done", "rk", "rc:s", "rc:e", "rf:progress"):
        answer = _forged_press(world, contact, in_group, forged)
        assert answer["show_alert"] and "无权" in answer["text"] and "\n" not in answer["text"]
    [ask_progress] = world.press(contact, pick_status, "rs:on_track")  # still at the status
    assert "序时推进" in ask_progress["text"]
    [ask_problems] = world.say(contact, "路基完成70%", reply_to=ask_progress["message_id"])
    assert "存在问题" in ask_problems["text"]  # the forged [跳过] moved nothing
    assert entries(world) == []
    assert len(world.bot_messages(group)) == 1  # nothing was posted in the group


def _forged_press(world: Harness, user: int, message: Message, data: str) -> dict[str, Any]:
    """A press with `data` on a message that never had such a button; its callback answer."""
    query_id = forge_callback(world, user, int(message["chat"]["id"]), data, message["message_id"])

    def answered() -> dict[str, Any] | None:
        for item in world.control.callback_answers():
            if item["callback_query_id"] == query_id and item["answer"] is not None:
                return dict(item["answer"])
        return None

    return dict(world.control.wait_until(answered, 30))


def _edit(world: Harness, message: dict[str, Any], text: str) -> None:
    world.control.inject_update(
        {"edited_message": {**message, "text": text, "edit_date": int(time.time())}}
    )


def test_an_edited_answer_counts_while_the_report_is_a_draft(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    [listing] = world.say(contact, "/tasks")
    [pick_status] = world.press(contact, listing, task_button(listing, 5))
    [ask_progress] = world.press(contact, pick_status, "rs:on_track")
    before = len(world.bot_messages(contact))
    posted = world.control.send_message(
        contact, "路基完成60%", reply_to_message_id=ask_progress["message_id"]
    )["message"]
    [ask_problems] = world.control.wait_for_messages(contact, before + 1)[before:]
    before += 1
    _edit(world, posted, "路基完成70%")
    [applied] = world.control.wait_for_messages(contact, before + 1)[before:]
    assert "已按修改后的消息更新“进展情况”" in applied["text"]
    [ask_next] = world.press(contact, ask_problems, "rk")
    [summary] = world.press(contact, ask_next, "rk")
    assert "进展情况：路基完成70%" in summary["text"]
    world.press(contact, summary, "rc:s")
    before = len(world.bot_messages(contact))
    _edit(world, posted, "路基完成90%")  # the entry is submitted: the edit is not recorded
    [told] = world.control.wait_for_messages(contact, before + 1)[before:]
    assert "不会被记录" in told["text"] and "/tasks" in told["text"]
    assert entries(world) == [(5, "on_track", "路基完成70%")]


def test_three_answers_of_3000_characters_fit_telegram(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    answers = ["进" * 2999 + "甲", "问" * 2999 + "乙", "下" * 2999 + "丙"]
    [listing] = world.say(contact, "/tasks")
    [pick_status] = world.press(contact, listing, task_button(listing, 5))
    [ask] = world.press(contact, pick_status, "rs:on_track")
    [ask] = world.say(contact, answers[0], reply_to=ask["message_id"])
    [ask] = world.say(contact, answers[1])
    parts = world.say(contact, answers[2], expect=3)
    assert all(len(part["text"]) <= 4096 for part in parts)
    whole = "\n".join(part["text"] for part in parts)
    assert all(answer in whole for answer in answers)  # nothing cut
    assert [b for part in parts[:-1] for b in buttons(part)] == []
    assert [data for _, data in buttons(parts[-1])] == ["rc:s", "rc:e"]
    [done] = world.press(contact, parts[-1], "rc:s")
    assert "任务 5" in done["text"]
    assert entries(world) == [(5, "on_track", answers[0])]


def test_an_edit_by_someone_not_reporting_is_answered_not_refused(world: Harness) -> None:
    principal = world.user("局长")
    bind(world, principal, TRANSPORT, "principal")
    before = len(world.bot_messages(principal))
    posted = world.control.send_message(principal, "你好")["message"]
    world.control.wait_for_messages(principal, before + 1)  # not understood: what was expected
    _edit(world, posted, "您好")
    [told] = world.control.wait_for_messages(principal, before + 2)[before + 1 :]
    assert "不会被记录" in told["text"] and "无权" not in told["text"]
