"""Settings: names, defaults and fail-fast validation."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from config import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("LEDGERBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    s = Settings()
    assert s.telegram_token is None
    assert s.telegram_base_url == "https://api.telegram.org/bot"
    assert s.database_url == "sqlite+aiosqlite:///data/ledgerbot.db"
    assert (s.timezone, s.locale) == ("Asia/Shanghai", "zh")
    assert s.admin_ids == [] and s.fake_now is None and s.webhook_url is None
    assert (s.prompt_day, s.deadline_day, s.send_time) == (1, 7, time(9, 0))
    assert s.deadline_shift == "next_workday" and s.reminder_workdays_before == [2]


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERBOT_TELEGRAM_TOKEN", "123456:real-looking-token")
    monkeypatch.setenv("LEDGERBOT_TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("LEDGERBOT_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("LEDGERBOT_ADMIN_IDS", "11, 22,33")
    monkeypatch.setenv("LEDGERBOT_FAKE_NOW", "2023-10-07T08:59:50+08:00")
    monkeypatch.setenv("LEDGERBOT_LOCALE", "en")
    monkeypatch.setenv("LEDGERBOT_WEBHOOK_URL", "https://bot.example/hook")
    monkeypatch.setenv("LEDGERBOT_WEBHOOK_PORT", "9000")
    monkeypatch.setenv("LEDGERBOT_WEBHOOK_SECRET", "s3cret")
    s = Settings()
    assert s.telegram_token is not None
    assert s.telegram_token.get_secret_value() == "123456:real-looking-token"
    assert "real-looking" not in repr(s)  # secrets never render
    assert s.admin_ids == [11, 22, 33] and s.locale == "en" and not s.is_sqlite
    assert s.fake_now is not None and s.fake_now.utcoffset().total_seconds() == 8 * 3600
    assert s.web_port == 9000  # the old name LEDGERBOT_WEBHOOK_PORT still works


def test_web_server_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    assert (s.web_listen, s.web_port) == ("127.0.0.1", 8080)
    monkeypatch.setenv("LEDGERBOT_WEBHOOK_LISTEN", "0.0.0.0")
    monkeypatch.setenv("LEDGERBOT_WEBHOOK_PORT", "8443")
    assert (Settings().web_listen, Settings().web_port) == ("0.0.0.0", 8443)  # old names
    monkeypatch.setenv("LEDGERBOT_WEB_LISTEN", "10.0.0.5")
    monkeypatch.setenv("LEDGERBOT_WEB_PORT", "0")
    assert (Settings().web_listen, Settings().web_port) == ("10.0.0.5", 0)  # new names win


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "needs a secret"),
        ({"LEDGERBOT_WEBHOOK_SECRET": "has spaces"}, "needs a secret"),
        ({"LEDGERBOT_WEBHOOK_SECRET": "x" * 257}, "needs a secret"),
        ({"LEDGERBOT_WEBHOOK_SECRET": "ok_secret-1", "LEDGERBOT_WEB_PORT": "0"}, "web server"),
    ],
)
def test_webhook_mode_needs_a_secret_and_the_server(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    monkeypatch.setenv("LEDGERBOT_WEBHOOK_URL", "https://bot.example/hook")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_dotenv_file(tmp_path) -> None:
    (tmp_path / ".env").write_text("LEDGERBOT_TIMEZONE=Asia/Urumqi\n", encoding="utf-8")
    assert Settings().timezone == "Asia/Urumqi"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LEDGERBOT_TELEGRAM_TOKEN", "changeme", "placeholder"),
        ("LEDGERBOT_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("LEDGERBOT_FAKE_NOW", "2023-10-07T08:59:50", "offset"),
        ("LEDGERBOT_LOCALE", "fr", "zh"),
        ("LEDGERBOT_DEADLINE_SHIFT", "sometimes", "next_workday"),
        ("LEDGERBOT_ADMIN_IDS", "12,abc", "int"),
    ],
)
def test_bad_values_fail_fast(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()
