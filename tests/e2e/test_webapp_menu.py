"""The chat's menu button opens the Mini App on the user's own screen (set when a known user
first writes in private, with LEDGERBOT_PUBLIC_URL set): staff the grid, a contact the form;
without LEDGERBOT_PUBLIC_URL the menu stays the command list."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_ID
from tests.e2e.harness import Harness
from tests.e2e.seed import TRANSPORT, bind_contacts, seed

pytestmark = pytest.mark.e2e
PUBLIC_URL = "https://ledger.example.gov.cn"
FAKE_NOW = "2023-04-03T10:00:00+08:00"


def menu_button(harness: Harness, chat_id: int) -> Any:
    url = f"{harness.tg.base_url}{harness.tg.token}/getChatMenuButton"
    return httpx.post(url, json={"chat_id": chat_id}, timeout=10).json()["result"]


def test_the_menu_button_opens_each_role_on_its_screen(harness: Harness) -> None:
    seed(harness.db_url)
    admin = harness.control.create_user("管理员", user_id=ADMIN_ID)["id"]
    contact = harness.user("张三", language="zh")
    bind_contacts(harness.db_url, {TRANSPORT: contact})
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW, LEDGERBOT_PUBLIC_URL=PUBLIC_URL)
    harness.say(admin, "/help")
    harness.say(contact, "/help")
    assert menu_button(harness, admin) == {
        "type": "web_app", "text": "打开台账",
        "web_app": {"url": f"{PUBLIC_URL}/app/?screen=grid"},
    }  # fmt: skip
    assert menu_button(harness, contact) == {
        "type": "web_app", "text": "在表格中填报",
        "web_app": {"url": f"{PUBLIC_URL}/app/?screen=form"},
    }  # fmt: skip


def test_without_a_public_url_the_menu_stays_the_commands(harness: Harness) -> None:
    seed(harness.db_url)
    admin = harness.control.create_user("管理员", user_id=ADMIN_ID)["id"]
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    harness.say(admin, "/help")
    assert menu_button(harness, admin) == {"type": "commands"}
