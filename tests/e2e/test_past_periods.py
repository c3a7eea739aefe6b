"""/status and /overdue for past periods, unit names by part, the document's order — through
the real bot."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from models import Plan, Unit
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.examples import example
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import TRANSPORT, WATER, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind
from tests.factories import make_task

pytestmark = pytest.mark.e2e

STAFF = 555_000_003


async def _water_before_transport(url: str) -> None:
    """Task 1 lists 市水务局 before 市交通运输局: the document's order, not code points."""
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as s:
        plan = await s.scalar(select(Plan))
        units = {u.name: u for u in (await s.scalars(select(Unit))).all()}
        assert plan is not None
        await make_task(s, plan, 1, leads=[units[WATER], units[TRANSPORT]], text="水运通道。")
    await engine.dispose()


def test_past_periods_and_names_by_part(harness: Harness) -> None:
    seed(harness.db_url)
    asyncio.run(_water_before_transport(harness.db_url))
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    contact = harness.user("王五")
    bind(harness, contact, TRANSPORT)
    harness.say(contact, "/report 1 已完成 航道疏浚完成")
    harness.cli("staff", "add", str(STAFF))
    harness.control.create_user("值班人员", user_id=STAFF)

    english = STAFF + 1
    harness.cli("staff", "add", str(english))
    harness.control.create_user("Duty officer", user_id=english, language_code="en")

    # The open period, units in the document's order (task 1 lists 市水务局 first).
    [march] = harness.say(STAFF, "/status")
    assert march["text"].splitlines()[3:] == [
        f"⚪ {WATER}：0/2（未绑定）",
        f"⚪ {TRANSPORT}：1/3",
        "⚪ 市发展改革委：0/2（未绑定）",
        f"⚪ 未签收交办：{TRANSPORT}",  # bound mid-period, its 交办 not yet acknowledged
    ]
    # A past period (the 签收 line belongs to the open period's overview only).
    # 7 owed (水务局 tasks 1, 8; 交通运输局 1, 5, 6; 发展改革委 6, 8), none
    # reported, all overdue since its deadline (7 March) has passed.
    sent = "/status 2023-02"
    [february] = harness.say(STAFF, sent)
    example("status", "zh", sent, [february])
    assert february["text"] == (
        "2023-02 台账（工作要点）\n"
        "应报 7 · 已报 0 · 待审定 0 · 未报 7（其中逾期 7） · 迟报 0\n"
        "⚪ 未绑定填报人的单位 2 个（从未收到提醒，请发送邀请码）\n"
        f"🔴 {WATER}：0/2（未绑定）\n"
        f"🔴 {TRANSPORT}：0/3\n"
        "🔴 市发展改革委：0/2（未绑定）"
    )
    sent = "/status transport 2023-02".replace("transport", "交通")
    [one] = harness.say(english, sent)
    example("status", "en", sent, [one])
    assert one["text"] == (
        "Ledger 2023-02 (工作要点)\n"
        "owed 3 · submitted 0 · awaiting approval 0 · missing 3 (overdue 3) · late 0\n"
        f"🔴 {TRANSPORT}: 0/3"
    )
    sent = "/overdue 2023-02"
    [overdue] = harness.say(STAFF, sent)
    example("overdue", "zh", sent, [overdue])
    assert overdue["text"] == (
        "2023-02 逾期未报（截止 2023-03-07）\n"
        f"🔴 {TRANSPORT}：0/3\n"
        "⚪ 未绑定填报人的单位 2 个（从未收到提醒，请发送邀请码）\n"
        f"⚪ {WATER}：0/2（未绑定）\n"
        "⚪ 市发展改革委：0/2（未绑定）"
    )
    [english_overdue] = harness.say(english, sent)
    example("overdue", "en", sent, [english_overdue])
    assert english_overdue["text"].splitlines()[:2] == [
        "Overdue for 2023-02 (deadline 2023-03-07)",
        f"🔴 {TRANSPORT}: 0/3",
    ]
    [future] = harness.say(STAFF, "/status 2023-04")
    assert future["text"] == "2023-04 尚未开始填报（当前为 2023-03）。"
    [bad] = harness.say(english, "/overdue 2023-13")
    assert bad["text"] == "Not a period: 2023-13 (use YYYY-MM, e.g. 2023-03)"

    # An ambiguous part offers buttons; the chosen unit keeps the period typed.
    [choose] = harness.say(STAFF, "/status 局 2023-02")
    assert choose["text"] == "“局”对应多个单位，请选择："
    assert [label for label, _ in buttons(choose)] == [TRANSPORT, WATER]
    [chosen] = harness.press(STAFF, choose, buttons(choose)[1][1])
    assert chosen["text"].splitlines()[0] == "2023-02 台账（工作要点）"
    assert chosen["text"].splitlines()[-1] == f"🔴 {WATER}：0/2（未绑定）"

    # A contact sees their own unit for a past period, and no other unit.
    [own] = harness.say(contact, "/status 2023-02")
    assert own["text"].splitlines()[-1] == f"🔴 {TRANSPORT}：0/3"
    [refused] = harness.say(contact, "/status 水务 2023-02")
    assert "无权" in refused["text"]
    assert harness.press_for_answer(contact, choose, buttons(choose)[1][1])["show_alert"]
