"""The 督办 workflow inside the report flow, through the real bot: a lead unit's contact picking a
task sees the supporting units' inputs (and who has sent none) with the status question, and a
lead's 已完成 report carries [申请销号], which asks to close the task like `/close N`; a
supporting unit's 已完成 gets no such button, and a second press is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.harness import Harness, buttons, task_button
from tests.e2e.seed import TRANSPORT, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import wait_for, wait_message

pytestmark = pytest.mark.e2e

YANJIANG = "雁江区"
CONTACTS = {TRANSPORT: 660_000_001, YANJIANG: 660_000_002}


def test_lead_sees_support_inputs_and_asks_to_close_from_the_confirmation(
    harness: Harness, tmp_path: Path
) -> None:
    """Seed plan: 市交通运输局 leads tasks 5 and 6, 各县(区) (雁江区) supports both; with support
    reports on 雁江区's input is due Tuesday 4 April (two working days before the 7th, 清明 on
    the 5th skipped)."""
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    for unit, user in CONTACTS.items():
        harness.control.create_user(f"{unit}填报人", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    [plan] = harness.cli_json("plan", "list")
    harness.cli("plan", "support", "on", plan["code"])
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00")
    lead, support = CONTACTS[TRANSPORT], CONTACTS[YANJIANG]

    [sent] = harness.say(support, "/report 5 序时推进 已配合完成征地")
    assert "任务 5" in sent["text"] and buttons(sent) == []  # not 已完成: no [申请销号]

    [tasks] = harness.say(lead, "/tasks")
    [ask_5] = harness.press(lead, tasks, task_button(tasks, 5))
    assert "请选择完成状态" in ask_5["text"]
    assert "配合单位反馈：\n· 雁江区：序时推进，已配合完成征地" in ask_5["text"]
    [ask_6] = harness.press(lead, tasks, task_button(tasks, 6))
    assert "配合单位反馈：\n· 雁江区：尚未反馈（配合反馈截止 2023-04-04）" in ask_6["text"]

    [done] = harness.say(lead, "/report 5 已完成 成渝高速扩容控制性工程已开工")
    assert [text for text, _ in buttons(done)] == ["申请销号"]
    [request] = (data for _, data in buttons(done))
    [asked] = harness.press(lead, done, request)
    assert asked["text"] == "已提交任务 5 销号申请，等待审核。"
    confirm = wait_message(harness, admin, "销号待确认")  # no principal: staff decide
    assert f"{TRANSPORT} 任务 5" in confirm["text"]
    [again] = harness.press(lead, done, request)
    assert again["text"] == "任务 5 已有待审核的销号申请。"
    yes = next(data for text, data in buttons(confirm) if text == "确认销号")
    harness.press_for_answer(admin, confirm, yes)
    wait_for(harness, lead, "已销号")

    # The 台账 marks 市交通运输局's row of task 5 已销号 with the day; task 6 stays as it was.
    harness.cli("export", "ledger", "--period", "2023-03", "-o", str(tmp_path / "ledger.xlsx"))
    sheet = load_workbook(tmp_path / "ledger.xlsx").active
    assert sheet is not None
    statuses, number = {}, None
    for row in sheet.iter_rows(min_row=3, values_only=True):
        number = row[0] or number  # 序号 is merged over a task's rows
        if row[2] == TRANSPORT:
            statuses[number] = row[4]
    assert statuses == {5: "已完成\n已销号（2023-04-03）", 6: "待报送"}

    [supported] = harness.say(support, "/report 6 已完成 配合工作已完成")
    assert buttons(supported) == []  # a supporting unit cannot ask to close
