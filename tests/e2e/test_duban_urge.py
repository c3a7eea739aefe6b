"""催办 through the real bot: [催办] beside each overdue unit in /overdue and in /status UNIT,
`/urge UNIT`; the unit's contacts and principal get its missing tasks and the deadline, the
presser a confirmation; once per unit per day; every refusal (not staff, group chat, unknown
unit, nothing missing, a second press, a button made stale by the unit's own report)."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from models import AuditLog, Contact, Unit
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, Message, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import wait_for

pytestmark = pytest.mark.e2e

CONTACTS = {TRANSPORT: 630_000_001, DEVELOPMENT: 630_000_002, WATER: 630_000_003}
PRINCIPAL = 630_000_009  # 市交通运输局's 主要负责同志


async def _principal(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        unit = await session.scalar(select(Unit.id).where(Unit.name == TRANSPORT))
        session.add(Contact(telegram_user_id=PRINCIPAL, unit_id=unit, role="principal"))
    await engine.dispose()


async def _urge_audit(url: str) -> list[tuple[str, str | None, int | None]]:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        rows = await session.execute(
            select(AuditLog.action, AuditLog.target, AuditLog.actor_user_id)
            .where(AuditLog.action == "unit.urge")
            .order_by(AuditLog.id)
        )
        found = [(a, t, u) for a, t, u in rows]
    await engine.dispose()
    return found


def _urge_button(message: Message, unit: str) -> str:
    [data] = [data for text, data in buttons(message) if text == f"催办 {unit}"]
    return data


def test_urge_from_overdue_status_and_command(harness: Harness) -> None:
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(_principal(harness.db_url))
    for user in (*CONTACTS.values(), PRINCIPAL):
        harness.control.create_user("单位人员", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    # Monday 10 April 2023: the 2023-03 ledger was due when Friday the 7th ended.
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-10T10:00:00+08:00")
    [ok] = harness.say(CONTACTS[WATER], "/report 8 已完成 张老引水工程完工")
    assert "任务 8" in ok["text"]

    [overdue] = harness.say(admin, "/overdue")
    labels = [text for text, _ in buttons(overdue)]
    assert labels == [f"催办 {TRANSPORT}", f"催办 {DEVELOPMENT}"]  # 市水务局 is complete

    [ack] = harness.press(admin, overdue, _urge_button(overdue, TRANSPORT))
    assert f"已催办 {TRANSPORT}（2023-03）：未报 2 项，已通知 2 人。" == ack["text"]
    for user in (CONTACTS[TRANSPORT], PRINCIPAL):
        urged = wait_for(harness, user, "催办")
        assert f"{TRANSPORT} 2023-03 台账以下事项尚未报送，截止 2023-04-07" in urged
        assert "5. 协同畅通公路网体系" in urged and "6. 优化提升公共交通服务" in urged

    again = harness.press_for_answer(admin, overdue, _urge_button(overdue, TRANSPORT))
    said = re.fullmatch(
        rf"{TRANSPORT} 今天已催办过（(\d\d:\d\d) 发出），每个工作日最多催办一次。", again["text"]
    )
    assert said is not None and said[1] >= "10:00"  # when the first one went
    assert again["show_alert"] is True
    [twice] = harness.say(admin, f"/urge {TRANSPORT}")
    assert "今天已催办过" in twice["text"]

    # 市发展改革委 reports both its tasks: the [催办] beside it is stale, and says so.
    for number in (6, 8):
        [done] = harness.say(CONTACTS[DEVELOPMENT], f"/report {number} 序时推进 推进中")
        assert f"任务 {number}" in done["text"]
    stale = harness.press_for_answer(admin, overdue, _urge_button(overdue, DEVELOPMENT))
    assert stale["text"] == f"{DEVELOPMENT} 2023-03 台账没有未报事项，无需催办。"

    [status] = harness.say(admin, f"/status {TRANSPORT}")
    assert [text for text, _ in buttons(status)] == [f"催办 {TRANSPORT}"]
    [nothing] = harness.say(admin, f"/urge {WATER}")
    assert nothing["text"] == f"{WATER} 2023-03 台账没有未报事项，无需催办。"
    [unknown] = harness.say(admin, "/urge 市不存在局")
    assert unknown["text"] == "没有找到单位：市不存在局"
    [usage] = harness.say(admin, "/urge")
    assert usage["text"] == "用法：/urge 单位名称"

    [refused] = harness.say(CONTACTS[TRANSPORT], f"/urge {DEVELOPMENT}")
    assert "无权" in refused["text"]
    group = harness.control.create_group("推进工作群", members=[admin])["id"]
    [private] = harness.say(admin, f"/urge {DEVELOPMENT}", chat_id=group)
    assert "私聊" in private["text"]

    harness.wait_drained()
    assert len([m for m in harness.bot_messages(PRINCIPAL) if "催办" in (m.get("text") or "")]) == 1
    assert asyncio.run(_urge_audit(harness.db_url)) == [("unit.urge", TRANSPORT, admin)]
