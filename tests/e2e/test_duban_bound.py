"""Telling people about their own binding, through the real bot: a contact bound while the
2023-03 ledger is open gets its prompt at once (not next month) and the unit's assignment
(交办); a person unbound (`ledgerbot unbind`) is told; a code used twice binds nothing new and
sends nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from models import Contact, Unit
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import texts, wait_for

pytestmark = pytest.mark.e2e

OLD_HAND, NEWCOMER = 670_000_001, 670_000_002
PRINCIPALS = {TRANSPORT: 670_000_009, WATER: 670_000_019}


async def _principals(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        for name, user in PRINCIPALS.items():
            unit = await session.scalar(select(Unit.id).where(Unit.name == name))
            session.add(Contact(telegram_user_id=user, unit_id=unit, role="principal"))
    await engine.dispose()


def test_bound_mid_period_is_prompted_and_assigned_and_unbinding_is_told(
    harness: Harness,
) -> None:
    """Seed plan: 市水务局 leads task 8 only. 2023-03 is prompted Mon 04-03 09:00."""
    seed(harness.db_url)
    bind_contacts(harness.db_url, {TRANSPORT: OLD_HAND})
    harness.control.create_user("老填报人", user_id=OLD_HAND)
    harness.control.create_user("新填报人", user_id=NEWCOMER)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T08:59:50+08:00")
    wait_for(harness, OLD_HAND, "2023-03 推进台账")

    invite = harness.cli_json("invite", WATER)
    [bound] = harness.say(NEWCOMER, f"/start {invite['code']}")
    assert bound["text"] == f"绑定成功：您已成为{WATER}的填报人。每月提示到达后，点击任务即可填报。"
    prompt = wait_for(harness, NEWCOMER, "2023-03 推进台账")
    assert f"{WATER}：请于 2023-04-07 前报送" in prompt and "强力推进水利设施建设" in prompt
    assignment = wait_for(harness, NEWCOMER, "交办")
    assert f"{WATER} 承担以下任务" in assignment
    shown = next(m for m in harness.bot_messages(NEWCOMER) if "交办" in (m.get("text") or ""))
    assert [text for text, _ in buttons(shown)] == ["签收"]

    unbound = harness.cli("unbind", str(NEWCOMER), "--unit", WATER).stdout
    assert f"unbound 1 binding(s) of {NEWCOMER}" in unbound
    told = wait_for(harness, NEWCOMER, "您已不再是")
    assert told.startswith(f"您已不再是{WATER}的填报人，今后不会再收到该单位的填报提醒。")
    harness.wait_drained()
    assert len(texts(harness, NEWCOMER, "2023-03 推进台账")) == 1  # once, never again


def test_acknowledgement_reminder_after_two_working_days_once(harness: Harness) -> None:
    """Bound Monday 04-03, the 交办 goes to both bound units; 市交通运输局 acknowledges. The
    reminder is due at 09:00 on the second working day after: Tue 04-04 is the first, Wed 04-05
    is 清明, so Thu 04-06. Before then nothing; then 市水务局's contact and principal get one
    each, once (市交通运输局's principal none: acknowledged)."""
    seed(harness.db_url)
    bind_contacts(harness.db_url, {TRANSPORT: OLD_HAND})
    asyncio.run(_principals(harness.db_url))
    harness.control.create_user("老填报人", user_id=OLD_HAND)
    harness.control.create_user("新填报人", user_id=NEWCOMER)
    for user in PRINCIPALS.values():
        harness.control.create_user("主要负责同志", user_id=user)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T09:30:00+08:00")
    invite = harness.cli_json("invite", WATER)
    harness.say(NEWCOMER, f"/start {invite['code']}")
    wait_for(harness, NEWCOMER, "交办")
    wait_for(harness, OLD_HAND, "交办")
    theirs = next(m for m in harness.bot_messages(OLD_HAND) if "交办" in (m.get("text") or ""))
    harness.press_for_answer(OLD_HAND, theirs, buttons(theirs)[0][1])

    for moment in ("2023-04-05T18:00:00+08:00", "2023-04-06T09:01:00+08:00",
                   "2023-04-07T10:00:00+08:00"):  # fmt: skip
        harness.bot.stop()
        harness.start(LEDGERBOT_FAKE_NOW=moment)
        harness.wait_drained()
        if moment.startswith("2023-04-05"):
            assert texts(harness, NEWCOMER, "签收提醒") == []
    [reminder] = texts(harness, NEWCOMER, "签收提醒")
    assert reminder == (
        f"签收提醒：{WATER}尚未签收 2023-04-03 交办的《成资同城化发展2023年工作要点》任务，"
        "请点击“签收”确认。"
    )
    assert texts(harness, PRINCIPALS[WATER], "签收提醒") == [reminder]  # its principal too
    assert texts(harness, OLD_HAND, "签收提醒") == []  # acknowledged: not reminded
    assert texts(harness, PRINCIPALS[TRANSPORT], "签收提醒") == []
