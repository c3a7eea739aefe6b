"""Start-up never ends in a traceback: a rejected token, no network, an unreachable, read-only
or full database each give one clear line (and a non-zero exit); no network is retried."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PostgresServer, _upgrade
from tests.e2e.harness import BotProcess, Harness
from tests.ops.namespace import run_on_tmpfs
from tests.telegram_double import TelegramDouble

pytestmark = pytest.mark.e2e

REJECTED = "Telegram rejected LEDGERBOT_TELEGRAM_TOKEN (401 Unauthorized); check it with @BotFather"


def run_bot(env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerbot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The process said exactly one line on stderr, and no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_token_telegram_rejects_is_one_line_and_exit_2(sqlite_harness: Harness) -> None:
    wrong = "987654321:AAwrong-token-that-must-not-be-printed"
    sqlite_harness.expect_error("getMe", "Unauthorized", times=1)
    result = run_bot({**sqlite_harness.env(), "LEDGERBOT_TELEGRAM_TOKEN": wrong})
    assert result.returncode == 2
    assert one_line(result) == REJECTED


def test_no_network_at_start_is_retried_until_telegram_answers(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    """Telegram unreachable: the bot logs one line per attempt and waits; once Telegram
    answers it starts polling without a restart."""
    port = free_port()
    token = sqlite_harness.tg.token
    env = {**sqlite_harness.env(), "LEDGERBOT_TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot"}
    bot = BotProcess(env, tmp_path / "offline.log")
    log = (tmp_path / "offline.log").open("ab")
    bot.process = subprocess.Popen(
        [sys.executable, "-m", "ledgerbot", "run"], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while bot.log().count("Telegram is unreachable") < 2:
            assert bot.process.poll() is None, f"the bot gave up:\n{bot.log()}"
            assert time.monotonic() < deadline, f"no retry logged:\n{bot.log()}"
            time.sleep(0.2)
        late = TelegramDouble.start_in_thread(port=port, token=token)
        try:
            control = late.client()
            deadline = time.monotonic() + 60
            while control.stats()["requests"].get("getUpdates", 0) == 0:
                assert bot.process.poll() is None, f"the bot exited:\n{bot.log()}"
                assert time.monotonic() < deadline, f"the bot never polled:\n{bot.log()}"
                time.sleep(0.2)
            assert bot.stop() == 0
        finally:
            late.stop()
    finally:
        bot.kill()
    text = bot.log()
    retries = [line for line in text.splitlines() if "Telegram is unreachable" in line]
    assert all("retrying in" in line for line in retries)
    assert "Traceback" not in text
    assert token not in text and token.split(":", 1)[1] not in text


def test_an_unreachable_database_is_one_line(sqlite_harness: Harness) -> None:
    url = "postgresql+asyncpg://ledgerbot:pw-secret-123@127.0.0.1:9/ledgerbot"
    result = run_bot({**sqlite_harness.env(), "LEDGERBOT_DATABASE_URL": url})
    assert result.returncode != 0
    line = one_line(result)
    assert line.startswith("PostgreSQL database ledgerbot at 127.0.0.1:9 is unreachable")
    assert "pw-secret-123" not in line
    # every other command says the same in one line
    for command in (["status"], ["db", "upgrade"], ["db", "current"], ["fire", "reminders"]):
        cli = subprocess.run(
            [sys.executable, "-m", "ledgerbot", *command],
            env={**sqlite_harness.env(), "LEDGERBOT_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert cli.returncode != 0, command
        assert one_line(cli) == f"error: {line}", command


@pytest.mark.postgres
def test_a_read_only_postgresql_database_is_one_line(
    sqlite_harness: Harness, postgres_server: PostgresServer
) -> None:
    url = postgres_server.create_database()
    asyncio.run(_upgrade(url))
    name = url.rsplit("/", 1)[1]
    asyncio.run(
        postgres_server._execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    )
    result = run_bot({**sqlite_harness.env(), "LEDGERBOT_DATABASE_URL": url})
    assert result.returncode != 0
    assert (
        one_line(result) == f"PostgreSQL database {name} at 127.0.0.1:5432 is read-only: "
        "the bot must be able to write it"
    )


def _sqlite_env(harness: Harness, path: Path, **extra: str) -> dict[str, str]:
    return {**harness.env(), "LEDGERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{path}", **extra}


def test_a_read_only_sqlite_file_system_is_one_line(
    sqlite_harness: Harness, sqlite_template: Path, tmp_path: Path
) -> None:
    mount = tmp_path / "ro"
    env = _sqlite_env(sqlite_harness, mount / sqlite_template.name)
    result = run_on_tmpfs(
        [sys.executable, "-m", "ledgerbot", "run"],
        mount,
        sqlite_template,
        mode="read-only",
        env=env,
    )
    assert result.returncode != 0
    assert one_line(result) == (
        f"SQLite database {mount / sqlite_template.name} is read-only: "
        f"cannot write in its folder {mount}"
    )


@pytest.mark.parametrize("min_free_mb", ["100", "0"])
def test_a_full_disk_is_one_line(
    sqlite_harness: Harness, sqlite_template: Path, tmp_path: Path, min_free_mb: str
) -> None:
    """With the default reserve the bot refuses before it writes; without one (0 MB) SQLite's
    own failure is reported the same way."""
    mount = tmp_path / "full"
    path = mount / sqlite_template.name
    env = _sqlite_env(sqlite_harness, path, LEDGERBOT_MIN_FREE_MB=min_free_mb)
    result = run_on_tmpfs(
        [sys.executable, "-m", "ledgerbot", "run"], mount, sqlite_template, mode="full", env=env
    )
    assert result.returncode != 0
    line = one_line(result)
    if min_free_mb == "100":
        assert line == (
            f"disk full: 0 MB free where the SQLite database {path} lives, the bot needs 100 MB "
            "(LEDGERBOT_MIN_FREE_MB); free some space"
        )
    else:
        assert line == f"disk full: cannot write the SQLite database {path}; free some space"
