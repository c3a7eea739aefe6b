"""Two plans owing task 5 to one unit, through the real bot process: the prompt grouped by plan,
an ambiguous `/report 5` answered with plan buttons, `/report CODE/5` in one line, /tasks."""

from __future__ import annotations

import asyncio
import re

import pytest

from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, Message, buttons
from tests.e2e.test_prompt_replies import wait_for
from tests.e2e.test_reporting_flows import bind
from tests.factories import make_plan, make_task, make_unit

pytestmark = pytest.mark.e2e

TRANSPORT = "市交通运输局"
POINTS, TEN = "工作要点", "十件大事"
POINTS_TITLE, TEN_TITLE = "成资同城化发展2023年工作要点", "成德眉资同城化十件大事"


async def _two_plans(url: str) -> None:
    """工作要点 5, 6 and 十件大事 2, 5, all led by 市交通运输局, both plans owed all year."""
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as s:
        transport = await make_unit(s, TRANSPORT)
        points = await make_plan(s, 2023, POINTS_TITLE)
        ten = await make_plan(s, 2023, TEN_TITLE, code=TEN)
        await make_task(s, points, 5, leads=[transport], text="协同畅通公路网体系。")
        await make_task(s, points, 6, leads=[transport], text="优化提升公共交通服务。")
        await make_task(s, ten, 2, leads=[transport], text="建成成资临空大道骏兴段。")
        await make_task(s, ten, 5, leads=[transport], text="打通古乐路城际断头路。")
    await engine.dispose()


HEADER_OR_TASK = re.compile(r"【|\d+\. ")


def labels(message: Message) -> list[str]:
    return [text for text, _ in buttons(message)]


def lines(message: Message) -> list[str]:
    """The plan headers and task lines of a prompt or a /tasks listing."""
    return [line for line in str(message["text"]).split("\n") if HEADER_OR_TASK.match(line)]


GROUPED = [
    f"【{POINTS}】",
    "5. 协同畅通公路网体系。",
    "6. 优化提升公共交通服务。",
    f"【{TEN}】",
    "2. 建成成资临空大道骏兴段。",
    "5. 打通古乐路城际断头路。",
]
BUTTONS = [
    f"{POINTS}/5. 协同畅通公路网体系。",
    f"{POINTS}/6. 优化提升公共交通服务。",
    f"{TEN}/2. 建成成资临空大道骏兴段。",
    f"{TEN}/5. 打通古乐路城际断头路。",
]


def test_two_plans_one_task_five(harness: Harness) -> None:
    asyncio.run(_two_plans(harness.db_url))
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T08:59:45+08:00")  # 2023-03 is prompted at 09:00
    contact = harness.user("交通填报人")
    bind(harness, contact, TRANSPORT)

    prompt = wait_for(harness, contact, "2023-03 推进台账")
    assert lines(prompt) == GROUPED
    assert labels(prompt) == BUTTONS
    assert all(data.startswith("ti:") for _, data in buttons(prompt))

    [ask] = harness.say(contact, "/report 5 序时推进 路基工程完成70%")
    assert "多个计划都有任务 5" in ask["text"]
    assert labels(ask) == [f"{POINTS}：{POINTS_TITLE}", f"{TEN}：{TEN_TITLE}"]
    assert all(data.startswith("rp:") for _, data in buttons(ask))
    status = harness.cli_json("status", "--period", "2023-03")
    assert status["units"][0]["entries"] == []  # nothing stored before a plan is chosen

    [done] = harness.press(contact, ask, buttons(ask)[1][1])
    assert "已提交：任务 5" in done["text"]
    [ok] = harness.say(contact, f"/report {POINTS}/5 滞后 征地拆迁进度偏慢")
    assert "任务 5" in ok["text"]

    status = harness.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    assert [p["code"] for p in status["plans"]] == [POINTS, TEN]
    [unit] = status["units"]
    assert (unit["owed"], unit["submitted"], unit["contacts"]) == (4, 2, 1)
    found = {(e["plan"], e["task"]): (e["status"], e["text"]) for e in unit["entries"]}
    assert found == {
        (TEN, 5): ("on_track", "路基工程完成70%"),
        (POINTS, 5): ("behind", "征地拆迁进度偏慢"),
    }

    [listing] = harness.say(contact, "/tasks")
    assert "2023-03" in listing["text"]
    reported, unreported = "【已报】", "【未报】"  # counted at once: no principal is bound
    assert lines(listing) == [
        f"【{POINTS}】", f"{GROUPED[1]}{reported}", f"{GROUPED[2]}{unreported}",
        f"【{TEN}】", f"{GROUPED[4]}{unreported}", f"{GROUPED[5]}{reported}",
    ]  # fmt: skip
    assert labels(listing) == BUTTONS
