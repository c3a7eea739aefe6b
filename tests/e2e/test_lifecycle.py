"""The bot process starts against a Bot API server, answers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal

import pytest

from tests.e2e.harness import Harness


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

    commands = harness.control.commands()
    assert commands, "command menus were not published"

    assert harness.bot.stop(signal.SIGINT) == 0
    assert "stopped" in harness.bot.log()
    assert harness.tg.token not in harness.bot.log()  # the token is never logged


@pytest.mark.e2e
def test_sigterm_also_stops_cleanly(harness: Harness) -> None:
    harness.start()
    assert harness.bot.stop(signal.SIGTERM) == 0
