"""LEDGERBOT_LOG_LEVEL and LEDGERBOT_LOG_FORMAT: JSON lines carry what they are about (update,
chat, user, unit, period, outbox row) and never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from config import Settings
from ledgerbot.logs import REDACTED, secrets_of, setup_logging
from services import log_context
from tests.campaigns.crash import create_users
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout

WEBHOOK_SECRET = "wh-secret-0123456789abcdef"
PROMPT_TIME = datetime.fromisoformat("2023-04-03T09:00:00+08:00")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers[:], level = saved
    root.setLevel(level)


def test_json_lines_carry_the_context_and_redact_secrets(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "123456:AAsecret-half-of-the-token"
    settings = Settings(
        telegram_token=token,
        webhook_secret=WEBHOOK_SECRET,
        database_url="postgresql+asyncpg://bot:db-password-9@db/ledgerbot",
    )
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("debug", secrets_of(settings), "json")
    log = logging.getLogger("ledgerbot.test")
    with log_context.scope(update_id=7, chat_id=42, user_id=43):
        log_context.bind(unit="市水务局", period="2023-03")
        log.debug("calling https://api.telegram.org/bot%s/getMe", token)
    log.info("no context %s", WEBHOOK_SECRET)
    try:
        raise RuntimeError("connect to postgresql://bot:db-password-9@db failed; half AAsecret")
    except RuntimeError:
        log.exception("database down")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["DEBUG", "INFO", "ERROR"]
    first = lines[0]
    assert (first["update_id"], first["chat_id"], first["user_id"]) == (7, 42, 43)
    assert (first["unit"], first["period"]) == ("市水务局", "2023-03")
    assert first["message"] == f"calling https://api.telegram.org/bot{REDACTED}/getMe"
    assert "update_id" not in lines[1]  # the scope ended
    assert "db-password-9" not in lines[2]["exception"]
    text = stream.getvalue()
    for secret in (token, "AAsecret-half-of-the-token", WEBHOOK_SECRET, "db-password-9"):
        assert secret not in text


def test_the_level_setting_filters(restore_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging(Settings(log_level="warning").log_level, [], "text")
    logging.getLogger("x").info("quiet")
    logging.getLogger("x").warning("loud")
    assert "quiet" not in stream.getvalue()
    assert "WARNING x: loud" in stream.getvalue()


def _lines(log: str) -> list[dict[str, Any]]:
    lines = []
    for raw in log.splitlines():
        if raw.strip():
            lines.append(json.loads(raw))  # every line is JSON, nothing else is printed
    return lines


@pytest.mark.e2e
def test_the_bot_logs_json_with_context_and_no_secret(harness: Harness) -> None:
    users = seed_fanout(harness.db_url, units=2)
    create_users(harness, users)
    token = harness.tg.token
    harness.start(
        LEDGERBOT_LOG_LEVEL="DEBUG",
        LEDGERBOT_LOG_FORMAT="json",
        LEDGERBOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        LEDGERBOT_FAKE_NOW=(PROMPT_TIME - timedelta(seconds=1)).isoformat(),
    )
    for user in users:  # the 2023-03 prompt arrives through the outbox
        harness.control.wait_for_messages(user, 1, timeout=60)
    harness.say(users[0], "/report 1 序时推进 完成年度目标的70%")
    harness.bot.stop()
    lines = _lines(harness.bot.log())
    sent = [line for line in lines if line["message"].startswith("sent outbox row")]
    assert sent, "no send was logged"
    # the prompts, and the confirmation of the report (an outbox row since it follows a change)
    assert {line["outbox_kind"] for line in sent} == {"ledger-prompt", "report-confirmation"}
    prompts = [line for line in sent if line["outbox_kind"] == "ledger-prompt"]
    assert {line["chat_id"] for line in prompts} == set(users)
    assert all(line["period"] == "2023-03" and line["outbox_id"] > 0 for line in sent)
    stored = [line for line in lines if line["message"].startswith("entry ")]
    assert len(stored) == 1
    entry = stored[0]
    assert entry["chat_id"] == entry["user_id"] == users[0]
    assert entry["unit"] == "测试单位0001" and entry["period"] == "2023-03"
    assert entry["update_id"] >= 1
    handled = [line for line in lines if line["message"] == "update handled"]
    assert any(line["update_id"] == entry["update_id"] for line in handled)
    log = harness.bot.log()
    for secret in (token, token.split(":", 1)[1], WEBHOOK_SECRET):
        assert secret not in log
