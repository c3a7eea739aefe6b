"""交办/签收 through the real bot: importing a plan sends each unit with a bound contact its
assignment (lead and supported tasks, [签收]) once; 签收 is recorded with who and when and shows
on the message; staff's /status names the units yet to acknowledge; refusals (a second 签收, a
contact of another unit)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import bind_contacts
from tests.e2e.test_reminders_and_escalations import wait_message
from tests.plans import OWN_PLANS

pytestmark = pytest.mark.e2e

PLAN = OWN_PLANS / "ziyang-2024-points.txt"
ZONE, TRANSPORT = "临空经济区管委会", "市交通运输局"
FIRST, SECOND, OTHER = 660_000_001, 660_000_002, 660_000_003


def test_assignment_and_acknowledgement(harness: Harness) -> None:
    first = harness.cli("import", str(PLAN)).stdout
    assert "交办 sent" not in first  # nobody bound yet: nobody to tell
    bind_contacts(harness.db_url, {ZONE: FIRST, TRANSPORT: OTHER})
    bind_contacts(harness.db_url, {ZONE: SECOND})
    for user in (FIRST, SECOND, OTHER):
        harness.control.create_user("填报人", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    harness.start(LEDGERBOT_FAKE_NOW="2024-03-11T10:00:00+08:00")

    again = harness.cli("import", str(PLAN)).stdout
    assert "交办 sent to 2 unit(s) with bound contacts" in again
    mine = wait_message(harness, FIRST, "交办")
    assert f"{ZONE} 承担以下任务" in mine["text"]
    assert "3. 共建临空装备产业园" in mine["text"]
    assert "配合任务（牵头单位：市交通运输局、市发展改革委），每月报送配合单位反馈" in mine["text"]
    assert [text for text, _ in buttons(mine)] == ["签收"]
    theirs = wait_message(harness, SECOND, "交办")
    transport = wait_message(harness, OTHER, "交办")
    assert "1. 建设成资快速通道二期" in transport["text"]

    [pending] = harness.say(admin, "/status")
    unacknowledged = pending["text"].splitlines()[-1]
    assert unacknowledged.startswith("⚪ 未签收交办：")
    assert ZONE in unacknowledged and TRANSPORT in unacknowledged

    ack = buttons(mine)[0][1]
    assert "无权" in harness.press_for_answer(OTHER, mine, ack)["text"]  # another unit's
    harness.press_for_answer(FIRST, mine, ack)

    def edited() -> bool:
        shown = next(
            m for m in harness.bot_messages(FIRST) if m["message_id"] == mine["message_id"]
        )
        return "✅ 已签收（2024-03-11" in (shown.get("text") or "") and not shown.get(
            "reply_markup"
        )

    harness.control.wait_until(edited, 30)
    second = harness.press_for_answer(SECOND, theirs, buttons(theirs)[0][1])
    assert second["text"].startswith("已签收（2024-03-11")  # the colleague did it already

    [still] = harness.say(admin, "/status")
    assert still["text"].splitlines()[-1] == f"⚪ 未签收交办：{TRANSPORT}"
    third = harness.cli("import", str(PLAN)).stdout
    assert "交办 sent" not in third  # each unit gets its assignment once
