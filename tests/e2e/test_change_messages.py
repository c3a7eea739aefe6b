"""Messages that follow a state change go through the outbox (issue #11): the confirmation of
a stored report, the 审定 request, the review's outcome — and a redelivered report is
confirmed again, not answered with a bare "already recorded"."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from models import OutboxMessage, ProgressEntry
from models.db import make_engine
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import TRANSPORT, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(harness: Harness) -> Harness:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    return harness


async def _sent_kinds(url: str) -> list[tuple[str, int, str]]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id, OutboxMessage.state).order_by(
                OutboxMessage.id
            )
        )
        found = [(kind, chat, str(state)) for kind, chat, state in rows]
    await engine.dispose()
    return found


async def _entry_versions(url: str) -> list[int]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        versions = list((await connection.scalars(select(ProgressEntry.version))).all())
    await engine.dispose()
    return versions


def test_report_and_review_messages_are_outbox_rows(world: Harness) -> None:
    contact, principal = world.user("王五"), world.user("局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")
    seen, asked = len(world.bot_messages(contact)), len(world.bot_messages(principal))
    [ok] = world.say(contact, "/report 5 序时推进 路基完成70%")
    assert ok["text"].startswith("已提交：任务 5（2023-03，第1版）。已送主要负责同志审定")
    [request] = world.control.wait_for_messages(principal, asked + 1)[asked:]
    assert "待审定" in request["text"] and "路基完成70%" in request["text"]
    approve, _ = (data for _, data in buttons(request))
    [done] = world.press(principal, request, approve)
    assert done["text"] == f"已审定通过：{TRANSPORT} 任务 5。"
    [outcome] = world.control.wait_for_messages(contact, seen + 2)[seen + 1 :]
    assert outcome["text"] == "任务 5（2023-03）已审定通过。"
    world.wait_drained()
    about_the_entry = {
        "report-confirmation",
        "approval-request",
        "review-done",
        "approval-decided",
        "review-outcome",
    }  # (the binding's prompt and 交办 are rows too)
    sent_kinds = asyncio.run(_sent_kinds(world.db_url))
    assert [row for row in sent_kinds if row[0] in about_the_entry] == [
        ("report-confirmation", contact, "sent"),
        ("approval-request", principal, "sent"),
        ("review-done", principal, "sent"),
        ("approval-decided", principal, "sent"),
        ("review-outcome", contact, "sent"),
    ]
    # The request itself now shows the outcome and has no live buttons left.
    [shown] = [m for m in world.bot_messages(principal) if m["message_id"] == request["message_id"]]
    assert shown["text"] == request["text"] + "\n\n✅ 已审定通过"
    assert not buttons(shown)


def test_return_reason_reaches_the_reporter_as_typed(world: Harness) -> None:
    contact, principal = world.user("王五"), world.user("局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")
    seen, asked = len(world.bot_messages(contact)), len(world.bot_messages(principal))
    world.say(contact, "/report 6 滞后 资金未到位")
    [request] = world.control.wait_for_messages(principal, asked + 1)[asked:]
    [ask_reason] = world.press(principal, request, buttons(request)[1][1])
    reason = "<数据> & 附件"
    [returned] = world.say(principal, reason, reply_to=ask_reason["message_id"])
    assert returned["text"] == f"已退回：{TRANSPORT} 任务 6。"
    [notice] = world.control.wait_for_messages(contact, seen + 2)[seen + 1 :]
    assert notice["text"] == (
        "任务 6（2023-03）被退回修改，原因：<数据> & 附件\n请重新填报（/tasks）。"
    )
    world.wait_drained()
    [shown] = [m for m in world.bot_messages(principal) if m["message_id"] == request["message_id"]]
    assert shown["text"] == request["text"] + "\n\n↩ 已退回修改" and not buttons(shown)


def test_a_redelivered_report_is_confirmed_again(world: Harness) -> None:
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    seen = len(world.bot_messages(contact))
    sent = world.control.send_message(contact, "/report 5 done 已完工")
    [first] = world.control.wait_for_messages(contact, seen + 1)[seen:]
    assert first["text"].startswith("已提交：任务 5（2023-03，第1版）。已计入本期台账")
    world.wait_drained()
    world.control.inject_update({"message": sent["message"]})  # Telegram delivers it again
    [again] = world.control.wait_for_messages(contact, seen + 2)[seen + 1 :]
    assert again["text"] == first["text"]
    assert asyncio.run(_entry_versions(world.db_url)) == [1]  # stored once
