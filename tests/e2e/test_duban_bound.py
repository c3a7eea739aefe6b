"""Telling people about their own binding, through the real bot: a contact bound while the
2023-03 ledger is open gets its prompt at once (not next month) and the unit's assignment
(交办); a person unbound (`ledgerbot unbind`) is told; a code used twice binds nothing new and
sends nothing."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_reminders_and_escalations import texts, wait_for

pytestmark = pytest.mark.e2e

OLD_HAND, NEWCOMER = 670_000_001, 670_000_002


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
