"""/history and /evidence through the real bot: versions with their review outcomes, the
attachments sent back, unit names by part with buttons when ambiguous, refusals by role."""

from __future__ import annotations

import re

import pytest

from tests.e2e.examples import example
from tests.e2e.harness import Harness, Message, buttons, task_button
from tests.e2e.seed import TRANSPORT, WATER, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind

pytestmark = pytest.mark.e2e

STAFF = 555_000_002


def timeless(text: str) -> str:
    """Times run on with the clock: compare texts with each `MM-DD hh:mm` masked."""
    return re.sub(r"\d\d-\d\d \d\d:\d\d", "04-03 10:xx", text)


def report_with_files(world: Harness, contact: int) -> Message:
    """Task 5 step by step, with two photos and a document; returns the summary."""
    [listing] = world.say(contact, "/tasks")
    [pick_status] = world.press(contact, listing, task_button(listing, 5))
    [ask_progress] = world.press(contact, pick_status, "rs:on_track")
    world.say(contact, "路基完成70%", reply_to=ask_progress["message_id"])
    for upload in (
        lambda: world.control.send_photo(contact, b"\x89PNG one"),
        lambda: world.control.send_photo(contact, b"\x89PNG two"),
        lambda: world.control.send_document(
            contact, b"%PDF-1.4", "实施方案.pdf", mime_type="application/pdf"
        ),
    ):
        before = len(world.bot_messages(contact))
        upload()
        world.control.wait_for_messages(contact, before + 1)
    [ask_next] = world.say(contact, "征地拆迁偏慢")
    [summary] = world.press(contact, ask_next, "rk")
    assert "附件：3" in summary["text"]
    return summary


def test_history_and_evidence(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    world = harness
    contact, principal = world.user("王五"), world.user("李局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")
    before = len(world.bot_messages(principal))
    world.press(contact, report_with_files(world, contact), "rc:s")
    # The 审定 request, then the three attachments (as outbox rows queued with the entry).
    request, *files = world.control.wait_for_messages(principal, before + 4)[before:]
    assert request["text"].startswith("待审定 市交通运输局 2023-03 任务 5（第1版）")
    assert [m.get("caption") for m in files] == [f"任务 5 附件 {i}/3" for i in (1, 2, 3)]
    assert "photo" in files[0] and "photo" in files[1]
    assert files[2]["document"]["file_name"] == "实施方案.pdf"
    [ask_reason] = world.press(principal, request, buttons(request)[1][1])
    world.say(principal, "请补充投资数据", reply_to=ask_reason["message_id"])
    before = len(world.bot_messages(principal))
    world.say(contact, "/report 5 序时推进 路基完成80%，完成投资2亿元")
    [request2] = world.control.wait_for_messages(principal, before + 1)[before:]
    world.press(principal, request2, buttons(request2)[0][1])

    [history] = world.say(principal, "/history 5")
    example("history", "zh", "/history 5", [history])
    assert timeless(history["text"]) == (
        "市交通运输局 任务 5（工作要点，2023-03）版本记录：\n"
        "第1版 · 04-03 10:xx · 王五 · 退回修改\n"
        "  状态：序时推进\n  进展情况：路基完成70%\n  存在问题：征地拆迁偏慢\n"
        "  附件 +3：照片、照片、实施方案.pdf\n"
        "  ↩ 李局长 04-03 10:xx 退回：请补充投资数据\n"
        "第2版 · 04-03 10:xx · 王五 · 已审定 · 当前版本\n"
        "  进展情况：路基完成70% → 路基完成80%，完成投资2亿元\n"
        "  存在问题：征地拆迁偏慢 → （空）\n"
        "  附件 −3：照片、照片、实施方案.pdf\n"
        "  ✔ 李局长 04-03 10:xx 审定通过"
    )

    # Staff name the unit, by an unambiguous part; an ambiguous part offers buttons.
    world.cli("staff", "add", str(STAFF))
    world.control.create_user("Staff", user_id=STAFF, language_code="en")
    [by_part] = world.say(STAFF, "/history 交通 5 2023-03")
    example("history", "en", "/history 交通 5 2023-03", [by_part])
    assert timeless(by_part["text"]).splitlines()[:2] == [
        "市交通运输局 task 5 (工作要点, 2023-03) versions:",
        "Version 1 · 04-03 10:xx · 王五 · returned",
    ]
    [choose] = world.say(STAFF, "/history 局 5")
    assert choose["text"] == "“局” matches several units; choose one:"
    assert [text for text, _ in buttons(choose)] == [TRANSPORT, WATER]
    [chosen] = world.press(STAFF, choose, buttons(choose)[0][1])
    assert chosen["text"] == by_part["text"]
    [unknown] = world.say(STAFF, "/history 不存在 5")
    assert unknown["text"] == "No unit called 不存在"
    [usage] = world.say(STAFF, "/history 5")
    assert usage["text"] == "Usage: /history N [YYYY-MM]; staff: /history UNIT N [YYYY-MM]"

    # The files come back: a listing, the two photos as one media group, then the document.
    sent = world.say(STAFF, "/evidence 交通 5", expect=4)
    example("evidence", "en", "/evidence 交通 5", sent)
    assert timeless(sent[0]["text"]) == (
        "市交通运输局 task 5 (工作要点, 2023-03): 3 attachment(s):\n"
        "photo · 王五 · 04-03 10:xx · v1\n"
        "photo · 王五 · 04-03 10:xx · v1\n"
        "document 实施方案.pdf · 王五 · 04-03 10:xx · v1"
    )
    assert "photo" in sent[1] and "photo" in sent[2]
    assert sent[1]["media_group_id"] == sent[2]["media_group_id"]
    assert sent[3]["document"]["file_name"] == "实施方案.pdf"
    own = world.say(principal, "/evidence 5", expect=4)
    example("evidence", "zh", "/evidence 5", own)
    assert own[0]["text"].splitlines()[0] == "市交通运输局 任务 5（工作要点，2023-03）附件 3 个："
    [none] = world.say(STAFF, "/evidence 交通 6")
    assert none["text"] == "市交通运输局 sent no attachments for task 6 (2023-03)."

    # Another unit's people see nothing of it; strangers are refused.
    other = world.user("赵六")
    bind(world, other, WATER)
    for command in (f"/history {TRANSPORT} 5", f"/evidence {TRANSPORT} 5"):
        [refused] = world.say(other, command)
        assert "无权" in refused["text"], command
    stranger = world.user("路人")
    for command in ("/history 5", "/evidence 交通 5"):
        [refused] = world.say(stranger, command)
        assert "无权" in refused["text"], command


def test_approval_request_shows_what_changed_since_the_last_approved_version(
    harness: Harness,
) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    world = harness
    contact, principal = world.user("王五"), world.user("李局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")

    def submit(text: str) -> Message:
        before = len(world.bot_messages(principal))
        world.say(contact, text)
        [request] = world.control.wait_for_messages(principal, before + 1)[before:]
        return request

    first = submit("/report 5 序时推进 路基完成70%")
    assert "与上次审定版本相比" not in first["text"]  # nothing was approved before
    world.press(principal, first, buttons(first)[0][1])
    second = submit("/report 5 已完成 路基完成100%")
    assert second["text"].splitlines()[-3:] == [
        "与上次审定版本相比：",
        "  状态：序时推进 → 已完成",
        "  进展情况：路基完成70% → 路基完成100%",
    ]
