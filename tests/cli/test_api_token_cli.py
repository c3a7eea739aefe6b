"""`ledgerbot api-token create NAME [--json] [--write]`, `list` and `revoke` on both
databases: the token is printed once and only its hash is stored."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ledgerbot.cli import app
from models import ApiToken, AuditLog
from models.db import make_engine, make_session_factory, transaction
from services.api_tokens import digest

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGERBOT_DATABASE_URL", db_url)
    monkeypatch.delenv("LEDGERBOT_TELEGRAM_TOKEN", raising=False)
    return db_url


def stored(url: str) -> tuple[list[tuple[str, str, bool, bool]], list[str]]:
    async def read() -> tuple[list[tuple[str, str, bool, bool]], list[str]]:
        engine = make_engine(url)
        try:
            async with transaction(make_session_factory(engine)) as s:
                tokens = (await s.scalars(select(ApiToken).order_by(ApiToken.id))).all()
                audit = (await s.scalars(select(AuditLog.action).order_by(AuditLog.id))).all()
                rows = [(t.name, t.token_hash, t.can_write, t.revoked_at is not None)
                        for t in tokens]  # fmt: skip
                return rows, list(audit)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_create_prints_the_token_once_and_stores_its_hash(cli_env: str) -> None:
    result = runner.invoke(app, ["api-token", "create", "市政府督查室", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"name", "token"} and printed["name"] == "市政府督查室"
    writer = runner.invoke(app, ["api-token", "create", "office", "--write"])
    assert writer.exit_code == 0 and writer.stdout.strip().startswith("lbt_")
    rows, audit = stored(cli_env)
    assert rows == [
        ("市政府督查室", digest(printed["token"]), False, False),
        ("office", digest(writer.stdout.strip()), True, False),
    ]
    assert printed["token"] not in repr(rows) and audit == ["api_token.create"] * 2


def test_list_and_revoke(cli_env: str) -> None:
    runner.invoke(app, ["api-token", "create", "dashboard"])
    listed = json.loads(runner.invoke(app, ["api-token", "list", "--json"]).stdout)
    assert [(t["name"], t["write"], t["revoked_at"]) for t in listed] == [
        ("dashboard", False, None)
    ]
    assert runner.invoke(app, ["api-token", "revoke", "dashboard"]).exit_code == 0
    rows, audit = stored(cli_env)
    assert rows[0][3] is True and audit == ["api_token.create", "api_token.revoke"]
    listed = json.loads(runner.invoke(app, ["api-token", "list", "--json"]).stdout)
    assert listed[0]["revoked_at"] is not None


def test_a_taken_or_unknown_name_is_one_line_and_changes_nothing(cli_env: str) -> None:
    runner.invoke(app, ["api-token", "create", "dashboard"])
    again = runner.invoke(app, ["api-token", "create", "dashboard"])
    assert again.exit_code == 2
    assert "a token named 'dashboard' exists" in again.stderr
    unknown = runner.invoke(app, ["api-token", "revoke", "nobody"])
    assert unknown.exit_code == 2 and "no token named 'nobody'" in unknown.stderr
    assert len(stored(cli_env)[0]) == 1
