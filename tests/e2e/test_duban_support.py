"""Supporting units (配合单位) through the real bot: the plan's switch, the prompt naming the lead
and the input's own due day, /report on a supported task, /status and `status --json`, and the
refusals (a unit neither leading nor supporting, a plan with support reports off)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import wait_for

pytestmark = pytest.mark.e2e

YANJIANG = "雁江区"
CONTACTS = {TRANSPORT: 620_000_001, WATER: 620_000_002, YANJIANG: 620_000_003}


def test_a_supporting_unit_is_prompted_reports_and_is_counted_apart(harness: Harness) -> None:
    """各县(区) supports tasks 5 and 6 of the seed plan; 雁江区 is its member. With support reports
    off (plans stored before) it owes nothing and /report is refused; `plan support on` gives it
    an input on each task, due Tuesday 4 April (two working days before Friday the 7th, 清明 on
    the 5th skipped)."""
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    for unit, user in CONTACTS.items():
        harness.control.create_user(f"{unit}填报人", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    [plan] = harness.cli_json("plan", "list")
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T08:59:50+08:00")  # 2023-03 prompted at 09:00
    assert "市交通运输局" in wait_for(harness, CONTACTS[TRANSPORT], "2023-03 推进台账")

    [refused] = harness.say(CONTACTS[YANJIANG], "/report 5 序时推进 已配合完成征地")
    assert "不属于您单位本期的填报任务" in refused["text"]

    switched = harness.cli("plan", "support", "on", plan["code"]).stdout
    assert f"plan {plan['code']}: support reports on" in switched
    assert "2023-03: +2 -0 obligations" in switched  # 雁江区 on tasks 5 and 6
    again = harness.cli("plan", "support", "on", plan["code"], check=False)
    assert again.returncode != 0 and "already on" in again.stderr

    fired = harness.cli("fire", "ledger-prompts", "--period", "2023-03").stdout
    assert "1 new message(s)" in fired  # the others had theirs: only 雁江区 is new
    prompt = wait_for(harness, CONTACTS[YANJIANG], "2023-03 推进台账")
    assert "配合任务（牵头单位：市交通运输局），请于 2023-04-04 前报送配合单位反馈" in prompt
    assert "牵头单位：市发展改革委、市交通运输局" in prompt  # task 6 has two leads

    [ok] = harness.say(CONTACTS[YANJIANG], "/report 5 序时推进 已配合完成征地")
    assert "任务 5" in ok["text"]
    [refused] = harness.say(CONTACTS[WATER], "/report 5 序时推进 不是我们的任务")
    assert "不属于您单位本期的填报任务" in refused["text"]

    [status] = harness.say(admin, "/status")
    assert "其中配合单位反馈：应报 2 · 已报 1" in status["text"]
    [mine] = harness.say(admin, f"/status {YANJIANG}")
    assert "配合反馈1/2" in mine["text"]

    document = harness.cli_json("status", "--period", "2023-03")
    yanjiang = next(u for u in document["units"] if u["unit"] == YANJIANG)
    assert [(e["task"], e["role"]) for e in yanjiang["entries"]] == [(5, "support")]
    assert (yanjiang["owed"], yanjiang["support_owed"], yanjiang["support_submitted"]) == (2, 2, 1)
