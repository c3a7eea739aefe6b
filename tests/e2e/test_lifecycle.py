"""The bot process starts against a Bot API server, answers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal

import pytest

from tests.e2e.harness import Harness

PRIVATE = ["tasks", "report", "status", "history", "export", "cancel", "help", "lang"]
GROUP = ["help", "subscribe", "unsubscribe"]
STAFF = ["status", "overdue", "history", "evidence", "milestones", "digest", "export", "bulletin",
         "invite", "help", "lang"]  # fmt: skip


def menus(harness: Harness) -> dict[tuple, list[str]]:
    """Published command menus: (scope type[, chat id], language) -> commands."""
    found = {}
    for menu in harness.control.commands():
        scope = menu["scope"]
        key = (scope["type"], *([scope["chat_id"]] if "chat_id" in scope else []))
        found[(*key, menu["language_code"])] = [c["command"] for c in menu["commands"]]
    return found


@pytest.mark.e2e
def test_starts_answers_start_and_help_and_stops_on_ctrl_c(harness: Harness) -> None:
    harness.start()
    stats = harness.control.stats()["requests"]
    assert stats.get("getMe", 0) >= 1 and stats.get("getUpdates", 0) >= 1

    user = harness.user("李四")
    [welcome] = harness.say(user, "/start")
    assert "推进台账" in welcome["text"]
    [help_text] = harness.say(user, "/help")
    assert "/start" in help_text["text"]

    english = harness.user("Ann", language="en")
    [hello] = harness.say(english, "/start")
    assert "progress ledger" in hello["text"]

    assert menus(harness) == {
        ("all_private_chats", ""): PRIVATE,
        ("all_private_chats", "en"): PRIVATE,
        ("all_group_chats", ""): GROUP,
        ("all_group_chats", "en"): GROUP,
    }  # no staff menu yet: Telegram knows no chat with the admin, who has not written
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    harness.say(admin, "/help")  # their first message: now their chat gets the staff menu
    staff_menu = {("chat", admin, ""): STAFF, ("chat", admin, "en"): STAFF}
    assert {k: v for k, v in menus(harness).items() if k[0] == "chat"} == staff_menu

    assert harness.bot.stop(signal.SIGINT) == 0
    assert "stopped" in harness.bot.log()
    assert harness.tg.token not in harness.bot.log()  # the token is never logged


@pytest.mark.e2e
def test_sigterm_also_stops_cleanly(harness: Harness) -> None:
    harness.start()
    assert harness.bot.stop(signal.SIGTERM) == 0
