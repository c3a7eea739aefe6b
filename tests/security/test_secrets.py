"""The bot token (and the webhook secret) never reach a log or the CLI's output, even when
Telegram fails, a handler is refused, the token is wrong or the database is unreachable."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import seed

pytestmark = pytest.mark.e2e

WEBHOOK_SECRET = "wh-secret-0123456789abcdef"


def assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked:\n{text[-3000:]}"


def provoke_telegram_errors(harness: Harness) -> None:
    """Faults on polling and on sends, a blocked user, and refused commands."""
    control = harness.control
    user = harness.user("路人")
    control.add_fault("getUpdates", "500", count=2)
    control.add_fault("getUpdates", "502", count=1)
    control.add_fault("getUpdates", "timeout_before", count=1, hold=3)
    control.add_fault("sendMessage", "429", count=1, retry_after=1)
    control.add_fault("sendMessage", "500", count=1)
    for text in ("/status", "/invite 市水务局", "/start not-a-code", "你好"):
        control.send_message(user, text)
    control.wait_for_messages(user, 2, timeout=60)


def test_the_token_is_never_logged_by_the_bot(harness: Harness) -> None:
    seed(harness.db_url)
    token = harness.tg.token
    harness.start(LEDGERBOT_WEBHOOK_SECRET=WEBHOOK_SECRET, LEDGERBOT_LOG_LEVEL="DEBUG")
    provoke_telegram_errors(harness)
    harness.bot.stop()
    log = harness.bot.log()
    assert "getUpdates" in log or "500" in log or "Bad Gateway" in log  # errors were logged
    assert_clean(log, token, token.split(":", 1)[1], WEBHOOK_SECRET)


def test_a_wrong_token_or_a_dead_server_is_reported_without_the_token(harness: Harness) -> None:
    wrong = "987654321:AAwrong-token-that-must-not-be-printed"
    harness.expect_error("getMe", "Unauthorized", times=1)  # the double refuses the wrong token
    env = {**harness.env(), "LEDGERBOT_TELEGRAM_TOKEN": wrong}
    result = subprocess.run(
        [sys.executable, "-m", "ledgerbot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode != 0
    assert_clean(result.stdout + result.stderr, wrong, wrong.split(":", 1)[1])
    # A dead server is retried (not fatal) until the bot is stopped: still no token.
    env["LEDGERBOT_TELEGRAM_BASE_URL"] = "http://127.0.0.1:9/bot"
    log_path = harness.workdir / "dead-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ledgerbot", "run"], env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60
        while "Telegram is unreachable" not in log_path.read_text(errors="replace"):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    assert_clean(log_path.read_text(errors="replace"), wrong, wrong.split(":", 1)[1])


def test_the_cli_never_prints_the_token(harness: Harness) -> None:
    seed(harness.db_url)
    token = harness.tg.token
    harness.extra_env["LEDGERBOT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    outputs = []
    for args in (
        ("outbox", "--json"),
        ("status", "--json"),
        ("invite", "没有这个单位"),  # fails
        ("fire", "ledger-prompts", "--period", "2023-03"),
        ("staff", "remove", "42"),
    ):
        result = harness.cli(*args, check=False, process=True)  # the whole process's output
        outputs.append(result.stdout + result.stderr)
    harness.extra_env["LEDGERBOT_DATABASE_URL"] = "postgresql+asyncpg://u:pw-secret@127.0.0.1:9/x"
    broken = harness.cli("status", check=False, process=True)
    assert broken.returncode != 0
    outputs.append(broken.stdout + broken.stderr)
    assert_clean("\n".join(outputs), token, token.split(":", 1)[1], WEBHOOK_SECRET, "pw-secret")
