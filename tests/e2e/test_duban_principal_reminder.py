"""The principals' 待办提醒 through the real bot: one working day before the 2023-03 deadline
(Fri 04-07; Wed 04-05 is 清明, so Thu 04-06 at 09:00) a principal with an entry to 审定 and a
销号 to approve is reminded once; not the day before, not again after a restart that day, not a
principal with nothing waiting, not the unit's contact."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from models import Contact, Unit
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import texts, wait_for, wait_message

pytestmark = pytest.mark.e2e

CONTACTS = {TRANSPORT: 680_000_001, DEVELOPMENT: 680_000_002, WATER: 680_000_003}
BUSY, IDLE = 680_000_009, 680_000_019  # principals of 市交通运输局 and 市水务局
REMINDER = "待办提醒"


async def _principals(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        for user, name in ((BUSY, TRANSPORT), (IDLE, WATER)):
            unit = await session.scalar(select(Unit.id).where(Unit.name == name))
            session.add(Contact(telegram_user_id=user, unit_id=unit, role="principal"))
    await engine.dispose()


def _restart_at(harness: Harness, moment: str) -> None:
    harness.bot.stop()
    harness.start(LEDGERBOT_FAKE_NOW=moment)
    harness.wait_drained()


def test_principals_reminded_the_working_day_before_the_deadline_once(harness: Harness) -> None:
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(_principals(harness.db_url))
    for user in (*CONTACTS.values(), BUSY, IDLE):
        harness.control.create_user("单位人员", user_id=user)
    contact = CONTACTS[TRANSPORT]
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00")
    harness.say(contact, "/report 5 已完成 成渝高速扩容控制性工程已开工")
    wait_message(harness, BUSY, "待审定")
    [asked] = harness.say(contact, "/close 5")
    assert asked["text"] == "已提交任务 5 销号申请，等待审核。"
    wait_message(harness, BUSY, "销号申请")

    _restart_at(harness, "2023-04-05T18:00:00+08:00")  # 清明: the day before the reminder day
    assert texts(harness, BUSY, REMINDER) == []
    _restart_at(harness, "2023-04-06T09:00:30+08:00")
    reminder = wait_for(harness, BUSY, REMINDER)
    assert reminder == (
        "待办提醒：2023-03 台账将于 2023-04-07 截止，以下事项待您处理（发送 /pending 逐项审定）：\n"
        f"· 待审定：{TRANSPORT} 任务5（2023-03 台账）\n"
        f"· 待审核销号：{TRANSPORT} 任务5"
    )
    _restart_at(harness, "2023-04-06T16:00:00+08:00")  # later that day: nothing new
    _restart_at(harness, "2023-04-07T10:00:00+08:00")  # the deadline day: not this reminder
    assert len(texts(harness, BUSY, REMINDER)) == 1
    assert texts(harness, IDLE, REMINDER) == []  # nothing waits for them
    assert texts(harness, contact, REMINDER) == []
