"""/milestones [YYYYQn] and the quarter's target under /status N and /status UNIT, through
the real bot: an answered check, two unanswered ones."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select

from models import Milestone, Task
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.examples import example
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import TRANSPORT, seed
from tests.e2e.test_prompt_replies import wait_for
from tests.e2e.test_reporting_flows import FAKE_NOW, bind

pytestmark = pytest.mark.e2e

STAFF = 555_000_005


async def _targets(url: str) -> None:
    """First-quarter targets: task 5 (市交通运输局), task 8 (市水务局, 市发展改革委)."""
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        for number, target in ((5, "控制性工程开工"), (8, "完成初步设计")):
            task = await session.scalar(select(Task).where(Task.number == number))
            assert task is not None
            session.add(
                Milestone(task_id=task.id, quarter=1, target=target, due_date=date(2023, 3, 31))
            )
    await engine.dispose()


def test_milestones_and_status_targets(harness: Harness) -> None:
    seed(harness.db_url)
    asyncio.run(_targets(harness.db_url))
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    world = harness
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    assert "1 new message(s)" in world.cli("fire", "milestone-checks", "--period", "2023Q1").stdout
    check = wait_for(world, contact, "节点目标核查")
    [ask] = world.press(contact, check, buttons(check)[0][1])
    world.say(contact, "3月28日开工", reply_to=ask["message_id"])
    world.cli("staff", "add", str(STAFF))
    world.control.create_user("值班人员", user_id=STAFF)
    english = STAFF + 1
    world.cli("staff", "add", str(english))
    world.control.create_user("Duty officer", user_id=english, language_code="en")

    # One answer met; 市水务局 and 市发展改革委 have not answered task 8's target.
    [board] = world.say(STAFF, "/milestones 2023Q1")
    example("milestones", "zh", "/milestones 2023Q1", [board])
    assert board["text"] == (
        "2023Q1 节点目标：已完成 1 · 部分完成 0 · 未完成 0 · 未答复 2\n"
        "工作要点/5 目标：控制性工程开工\n"
        f"  ✅ {TRANSPORT}：已完成 — 3月28日开工\n"
        "工作要点/8 目标：完成初步设计\n"
        "  ⏳ 市水务局：未答复\n"
        "  ⏳ 市发展改革委：未答复"
    )
    [same] = world.say(STAFF, "/milestones")  # the open period's quarter
    assert same["text"] == board["text"]
    [english_board] = world.say(english, "/milestones")
    example("milestones", "en", "/milestones", [english_board])
    assert english_board["text"].splitlines()[0] == (
        "Milestones 2023Q1: met 1 · partly 0 · missed 0 · unanswered 2"
    )
    [future] = world.say(STAFF, "/milestones 2023Q3")
    assert future["text"] == "用法：/milestones [YYYYQn]，如 /milestones 2023Q1"
    [own] = world.say(contact, "/milestones")
    assert own["text"].splitlines()[1:] == [
        "工作要点/5 目标：控制性工程开工",
        f"  ✅ {TRANSPORT}：已完成 — 3月28日开工",
    ]

    # /status N and /status UNIT show the quarter's target and its answers.
    [task] = world.say(STAFF, "/status 8")
    assert task["text"].splitlines()[-3:] == [
        "🎯 第1季度目标：完成初步设计",
        "  ⏳ 市水务局：未答复",
        "  ⏳ 市发展改革委：未答复",
    ]
    [unit] = world.say(english, "/status 交通")
    assert unit["text"].splitlines()[-2:] == [
        "🎯 Q1 target: 控制性工程开工",
        f"  ✅ {TRANSPORT}: met — 3月28日开工",
    ]
    stranger = world.user("路人")
    [refused] = world.say(stranger, "/milestones")
    assert "无权" in refused["text"]
