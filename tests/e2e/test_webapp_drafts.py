"""A draft saved in the Mini App's form is the contact's until that task is reported, from the
form or from the chat: a /report of the task removes it, the other task's draft stays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import TRANSPORT, bind_contacts, seed
from tests.webapp.world import init_data

pytestmark = pytest.mark.e2e
NOW = "2023-04-06T10:00:00+08:00"  # period 2023-03 open, due on the 7th


def test_a_report_from_the_chat_removes_that_tasks_draft(harness: Harness) -> None:
    seed(harness.db_url)
    contact = harness.user("交通填报人", language="zh")
    bind_contacts(harness.db_url, {TRANSPORT: contact})
    base = harness.serve_web()
    harness.start(LEDGERBOT_FAKE_NOW=NOW)
    signed = init_data(contact, at=datetime.fromisoformat(NOW), token=harness.tg.token)
    api = httpx.Client(base_url=f"{base}/api/v1/", headers={"Authorization": f"tma {signed}"})

    def drafts() -> dict[int, Any]:
        form = api.get("form?period=2023-03").json()
        return {t["number"]: t["draft"] for u in form["units"] for t in u["tasks"]}

    form = api.get("form?period=2023-03").json()
    [unit] = form["units"]
    items = [
        {"unit_id": unit["unit_id"], "task_id": t["task_id"], "status": "on_track",
         "progress": f"任务{t['number']}的草稿"}
        for t in unit["tasks"]
    ]  # fmt: skip
    assert api.post("form/draft?period=2023-03", json={"items": items}).status_code == 200
    numbers = sorted(drafts())
    assert len(numbers) == 2 and all(drafts().values())

    [ok] = harness.say(contact, f"/report {numbers[0]} 序时推进 路基完成70%")
    assert f"任务 {numbers[0]}" in ok["text"]
    left = drafts()
    assert left[numbers[0]] is None
    assert left[numbers[1]]["progress"] == f"任务{numbers[1]}的草稿"
