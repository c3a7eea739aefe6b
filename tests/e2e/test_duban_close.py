"""销号 through the real bot: `/close N` once the report says 已完成, the principal's [同意销号],
staff's [确认销号], the unit told, 已销号 with its date in /status UNIT, the task no longer owed
in later periods, and staff's `/reopen`; every refusal (not done, not the unit's task, not a
contact, a second request, a button of the other step, a non-staff reopen)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from models import Contact, Unit
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import wait_for, wait_message

pytestmark = pytest.mark.e2e

CONTACTS = {TRANSPORT: 650_000_001, DEVELOPMENT: 650_000_002, WATER: 650_000_003}
PRINCIPAL = 650_000_009


async def _principal(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        unit = await session.scalar(select(Unit.id).where(Unit.name == TRANSPORT))
        session.add(Contact(telegram_user_id=PRINCIPAL, unit_id=unit, role="principal"))
    await engine.dispose()


def task_states(listing: str) -> dict[int, str]:
    """/tasks' lines "N. text【state】" as task number → state."""
    return {
        int(line.split(".", 1)[0]): line.rsplit("【", 1)[1].rstrip("】")
        for line in listing.splitlines() if line[:1].isdigit() and "【" in line
    }  # fmt: skip


def _owed(harness: Harness, period: str) -> list[int]:
    """How many reports 市交通运输局 owes for `period` (`ledgerbot status --json`)."""
    document = harness.cli_json("status", "--period", period, "--unit", TRANSPORT)
    return [u["owed"] for u in document["units"]]


def test_close_approve_confirm_and_reopen(harness: Harness) -> None:
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(_principal(harness.db_url))
    for user in (*CONTACTS.values(), PRINCIPAL):
        harness.control.create_user("单位人员", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    contact = CONTACTS[TRANSPORT]
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-10T10:00:00+08:00")

    [not_done] = harness.say(contact, "/close 5")
    assert not_done["text"] == "任务 5 本期报送的完成状态须为“已完成”才能申请销号。"
    [ok] = harness.say(contact, "/report 5 已完成 成渝高速扩容控制性工程已开工")
    assert "任务 5" in ok["text"]
    wait_message(harness, PRINCIPAL, "待审定")  # the 审定 request (outbox) before the answers
    [not_ours] = harness.say(CONTACTS[WATER], "/close 5")
    assert "任务 5 不属于您单位本期的填报任务" in not_ours["text"]
    [principal_cannot] = harness.say(PRINCIPAL, "/close 5")
    assert "只有责任单位的填报人可以填报" in principal_cannot["text"]
    [usage] = harness.say(contact, "/close")
    assert usage["text"] == "用法：/close 任务序号"

    [asked] = harness.say(contact, "/close 5")
    assert asked["text"] == "已提交任务 5 销号申请，等待审核。"
    [again] = harness.say(contact, "/close 5")
    assert again["text"] == "任务 5 已有待审核的销号申请。"

    request = wait_message(harness, PRINCIPAL, "销号申请")
    assert f"{TRANSPORT} 任务 5" in request["text"]
    yes, _no = (data for _, data in buttons(request))
    assert [text for text, _ in buttons(request)] == ["同意销号", "退回"]
    # Staff cannot take the principal's step.
    assert "无权" in harness.press_for_answer(admin, request, yes)["text"]
    harness.press_for_answer(PRINCIPAL, request, yes)

    confirm = wait_message(harness, admin, "销号待确认")
    assert [text for text, _ in buttons(confirm)] == ["确认销号", "退回"]
    harness.press_for_answer(
        admin, confirm, next(d for t, d in buttons(confirm) if t == "确认销号")
    )
    told = wait_for(harness, contact, "已销号")
    assert f"{TRANSPORT} 任务 5 已销号（2023-04-10），今后不再要求报送。" == told

    def edited() -> bool:
        shown = next(
            m for m in harness.bot_messages(admin) if m["message_id"] == confirm["message_id"]
        )
        return "已销号（2023-04-10）" in (shown.get("text") or "") and not shown.get("reply_markup")

    harness.control.wait_until(edited, 30)
    [closed] = harness.say(admin, f"/status {TRANSPORT}")
    assert closed["text"].splitlines()[-1] == "已销号：任务5（2023-04-10）"
    [tasks] = harness.say(contact, "/tasks")  # the contact's own list says so too
    assert task_states(tasks["text"]) == {5: "已销号（2023-04-10）", 6: "逾期"}

    # April opens on 4 May (劳动节): 市交通运输局 owes task 6 only; March kept both.
    assert _owed(harness, "2023-03") == [2]
    assert _owed(harness, "2023-04") == [1]

    [refused] = harness.say(contact, f"/reopen {TRANSPORT} 5")
    assert "无权" in refused["text"]
    [none] = harness.say(admin, f"/reopen {TRANSPORT} 6")
    assert none["text"] == "没有已销号的任务 6。"
    [reopened] = harness.say(admin, f"/reopen {TRANSPORT} 5")
    assert reopened["text"] == f"{TRANSPORT} 任务 5 已重新启用，请继续按期报送。"
    assert _owed(harness, "2023-05") == [2]  # owed again from the periods not yet written
