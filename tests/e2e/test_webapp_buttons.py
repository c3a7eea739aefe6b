"""Buttons into the Mini App from the chat, with LEDGERBOT_PUBLIC_URL set: the monthly prompt
ends with [在表格中填报] (a web_app button on the period's form), staff's /status with
[打开台账] (the grid of that period, of that unit for /status UNIT), and the digest in a group
with a t.me startapp link (groups take no web_app buttons). Without the setting, none of them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from models import Unit
from models.db import make_engine
from tests.e2e.harness import Harness, Message
from tests.e2e.seed import TRANSPORT, bind_contacts, seed
from tests.e2e.test_prompt_replies import wait_for

pytestmark = pytest.mark.e2e
PUBLIC_URL = "https://ledger.example.gov.cn"
SUNDAY = "2023-04-02T10:00:00+08:00"  # nothing fires
BEFORE_NINE = "2023-04-03T08:59:57+08:00"  # Monday: the 2023-03 prompt and the weekly digest


async def _unit_id(url: str, name: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(Unit.id).where(Unit.name == name)) or 0)
    finally:
        await engine.dispose()


def last_row(message: Message) -> list[dict[str, Any]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or [[]]
    return list(rows[-1])


def test_prompt_status_and_digest_carry_a_way_into_the_app(harness: Harness) -> None:
    seed(harness.db_url)
    contact = harness.user("张三", language="zh")
    bind_contacts(harness.db_url, {TRANSPORT: contact})
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    group = harness.control.create_group("同城化工作群", members=[admin])["id"]
    harness.start(LEDGERBOT_FAKE_NOW=SUNDAY, LEDGERBOT_PUBLIC_URL=PUBLIC_URL)
    harness.control.send_message(admin, "/subscribe", chat_id=group)
    wait_for(harness, group, "订阅")
    assert harness.bot.stop() == 0

    harness.start(LEDGERBOT_FAKE_NOW=BEFORE_NINE, LEDGERBOT_PUBLIC_URL=PUBLIC_URL)
    prompt = wait_for(harness, contact, "2023-03 推进台账")
    assert last_row(prompt) == [
        {"text": "在表格中填报",
         "web_app": {"url": f"{PUBLIC_URL}/app/?screen=form&period=2023-03"}}
    ]  # fmt: skip
    digest = wait_for(harness, group, "每周台账简报 2023-03")
    assert last_row(digest) == [
        {"text": "打开台账", "url": "https://t.me/ledger_test_bot?startapp=grid_p2023-03"}
    ]
    harness.wait_drained()

    [status] = harness.say(admin, "/status")
    assert "2023-03" in status["text"]
    assert last_row(status) == [
        {"text": "打开台账", "web_app": {"url": f"{PUBLIC_URL}/app/?screen=grid&period=2023-03"}}
    ]
    transport = asyncio.run(_unit_id(harness.db_url, TRANSPORT))
    [one] = harness.say(admin, f"/status {TRANSPORT}")
    assert last_row(one)[-1] == {
        "text": "打开台账",
        "web_app": {"url": f"{PUBLIC_URL}/app/?screen=grid&period=2023-03&unit={transport}"},
    }
    [own] = harness.say(contact, "/status")  # a contact's own unit: no grid for them
    assert "打开台账" not in str(own.get("reply_markup"))

    # A contact bound while the ledger is open gets its prompt at once, with the same button.
    newcomer = harness.user("李四", language="zh")
    invite = harness.cli_json("invite", TRANSPORT)
    harness.control.send_message(newcomer, f"/start {invite['code']}")
    at_once = wait_for(harness, newcomer, "2023-03 推进台账")
    assert last_row(at_once) == [
        {"text": "在表格中填报",
         "web_app": {"url": f"{PUBLIC_URL}/app/?screen=form&period=2023-03"}}
    ]  # fmt: skip


def test_without_a_public_url_no_button_leads_to_the_app(harness: Harness) -> None:
    seed(harness.db_url)
    contact = harness.user("张三", language="zh")
    bind_contacts(harness.db_url, {TRANSPORT: contact})
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    harness.start(LEDGERBOT_FAKE_NOW=BEFORE_NINE)
    prompt = wait_for(harness, contact, "2023-03 推进台账")
    assert all("callback_data" in button for button in last_row(prompt))
    harness.wait_drained()
    [status] = harness.say(admin, "/status")
    assert "web_app" not in str(status.get("reply_markup"))
