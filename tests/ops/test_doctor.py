"""`ledgerbot doctor` against the Telegram double and real databases: one line per check,
exit 1 when one fails, nothing changed."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import date
from pathlib import Path

import pytest
import telegram

from ledger.workdays import known_year
from ledgerbot.doctor import check_calendar
from models import schema
from tests.conftest import PostgresServer, _upgrade
from tests.e2e.harness import Harness

pytestmark = pytest.mark.e2e
LAST_KNOWN = max(year for year in range(2020, 2100) if known_year(year))


def doctor(harness: Harness, **env: str) -> tuple[int, list[str]]:
    harness.extra_env.setdefault("LEDGERBOT_FAKE_NOW", f"{LAST_KNOWN - 1}-06-01T10:00:00+08:00")
    harness.extra_env.update(env)
    result: subprocess.CompletedProcess[str] = harness.cli("doctor", check=False)
    assert result.stderr == "" and "Traceback" not in result.stdout
    return result.returncode, result.stdout.splitlines()


def where(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite database {url.split('///', 1)[1]}"
    return f"PostgreSQL database {url.rsplit('/', 1)[1]} at 127.0.0.1:5432"


def test_a_ready_setup_passes_every_check(harness: Harness) -> None:
    code, lines = doctor(harness)
    package = lines[6].split(" to ", 1)[1] if " to " in lines[6] else ""
    assert lines[:7] == [
        f"ok    settings    {where(harness.db_url)}; polling; time zone Asia/Shanghai",
        f"ok    database    reachable: {where(harness.db_url)}",
        "ok    database    writable",
        f"ok    migrations  at {schema.head_revision()} (head)",
        "ok    telegram    token accepted: @ledger_test_bot (id 123456789)",
        "ok    webhook     none set, as polling needs; 0 updates waiting",
        f"ok    calendar    {LAST_KNOWN - 1} and {LAST_KNOWN} known to {package}",
    ]
    assert package.startswith("chinese-calendar ")
    if harness.db_url.startswith("sqlite"):
        folder = Path(harness.db_url.split("///", 1)[1]).parent
        assert lines[7].startswith("ok    disk        ")
        assert lines[7].endswith(f" GB free for the database at {folder}")
    else:
        assert (
            lines[7] == "ok    disk        PostgreSQL keeps its data on its server: check it there"
        )
    assert len(lines) == 8 and code == 0


def test_a_fresh_machine_is_told_what_creates_the_database(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    missing = tmp_path / "data" / "ledgerbot.db"
    url = f"sqlite+aiosqlite:///{missing}"
    code, lines = doctor(sqlite_harness, LEDGERBOT_DATABASE_URL=url)
    assert lines[1] == (
        f"WARN  database    {missing} does not exist yet: "
        "`ledgerbot run` or `ledgerbot db upgrade` creates it"
    )
    assert not any(line.split()[1] == "migrations" for line in lines)
    assert code == 0
    assert not missing.parent.exists()  # doctor creates nothing


def test_a_rejected_token_fails(sqlite_harness: Harness) -> None:
    sqlite_harness.expect_error("getMe", "Unauthorized", times=1)
    code, lines = doctor(sqlite_harness, LEDGERBOT_TELEGRAM_TOKEN="42:AAwrong")
    assert (
        "FAIL  telegram    Telegram rejected LEDGERBOT_TELEGRAM_TOKEN (401 Unauthorized); "
        "check it with @BotFather"
    ) in lines
    assert not any(line.split()[1] == "webhook" for line in lines)
    assert code == 1
    assert "AAwrong" not in "\n".join(lines)


def test_the_webhook_is_compared_with_the_settings(sqlite_harness: Harness) -> None:
    hook = "http://127.0.0.1:9/telegram-hook"  # loopback only; no update is ever delivered
    env = {"LEDGERBOT_WEBHOOK_URL": hook, "LEDGERBOT_WEBHOOK_SECRET": "s3cret-hook"}
    code, lines = doctor(sqlite_harness, **env)
    assert (
        f"WARN  webhook     Telegram delivers to nobody, the settings say {hook}: the bot sets "
        "it when it starts; if it is running, another process changed it"
    ) in lines
    assert code == 0

    async def set_hook() -> None:
        tg = sqlite_harness.tg
        async with telegram.Bot(tg.token, base_url=tg.base_url) as bot:
            await bot.set_webhook(hook, secret_token="s3cret-hook")

    asyncio.run(set_hook())
    code, lines = doctor(sqlite_harness)
    assert f"ok    webhook     set to {hook}; 0 updates waiting" in lines
    del sqlite_harness.extra_env["LEDGERBOT_WEBHOOK_URL"]
    code, lines = doctor(sqlite_harness)
    assert (
        f"WARN  webhook     Telegram delivers to {hook} but LEDGERBOT_WEBHOOK_URL is not set: "
        "polling removes that webhook when the bot starts"
    ) in lines


def test_a_dead_telegram_fails(sqlite_harness: Harness) -> None:
    code, lines = doctor(sqlite_harness, LEDGERBOT_TELEGRAM_BASE_URL="http://127.0.0.1:9/bot")
    assert any(line.startswith("FAIL  telegram    unreachable at 127.0.0.1:9: ") for line in lines)
    assert code == 1


def test_too_little_disk_fails(sqlite_harness: Harness) -> None:
    code, lines = doctor(sqlite_harness, LEDGERBOT_MIN_FREE_MB=str(10**12))
    assert lines[-1].startswith("FAIL  disk        ")
    assert lines[-1].endswith(f"below LEDGERBOT_MIN_FREE_MB={10**12}")
    assert code == 1


@pytest.mark.postgres
def test_postgresql_read_only_or_empty_fails(
    sqlite_harness: Harness, postgres_server: PostgresServer
) -> None:
    empty = postgres_server.create_database()
    code, lines = doctor(sqlite_harness, LEDGERBOT_DATABASE_URL=empty)
    head = schema.head_revision()
    assert f"FAIL  migrations  empty, the code needs {head}: run `ledgerbot db upgrade`" in lines
    assert code == 1
    asyncio.run(_upgrade(empty))
    name = empty.rsplit("/", 1)[1]
    asyncio.run(
        postgres_server._execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    )
    code, lines = doctor(sqlite_harness)
    assert lines[1] == f"ok    database    reachable: {where(empty)}"
    assert (
        lines[2]
        == f"FAIL  database    {where(empty)} is read-only: the bot must be able to write it"
    )
    assert code == 1


@pytest.mark.parametrize(
    ("today", "status", "detail"),
    [
        (
            date(LAST_KNOWN - 1, 11, 20),
            "ok",
            f"{LAST_KNOWN - 1} and {LAST_KNOWN} known to {{package}}",
        ),
        (
            date(LAST_KNOWN, 6, 1),
            "ok",
            f"{LAST_KNOWN} known to {{package}}; {LAST_KNOWN + 1} is announced in November",
        ),
        (
            date(LAST_KNOWN, 11, 1),
            "WARN",
            f"{LAST_KNOWN + 1}'s holidays are not in {{package}} yet (announced each November): "
            "upgrade it once a release has them",
        ),
        (
            date(LAST_KNOWN + 1, 1, 2),
            "FAIL",
            f"{{package}} has no holidays for {LAST_KNOWN + 1}: upgrade it (pip install -U "
            "chinesecalendar); until then only weekends are days off",
        ),
    ],
)
def test_the_calendar_check_warns_in_november(today: date, status: str, detail: str) -> None:
    from importlib.metadata import version

    check = check_calendar(today)
    package = f"chinese-calendar {version('chinesecalendar')}"
    assert (check.status, check.detail) == (status, detail.format(package=package))
