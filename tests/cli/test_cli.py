"""The `ledgerbot` command line against a real database."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from typer.testing import CliRunner

from ledger.vocab import UnitKind
from ledgerbot.cli import app
from models import UnitAlias, UnitMember, schema
from models.db import make_engine, make_session_factory, transaction
from tests.factories import make_plan, make_task, make_unit

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGERBOT_DATABASE_URL", db_url)
    monkeypatch.delenv("LEDGERBOT_TELEGRAM_TOKEN", raising=False)
    return db_url


async def _seed(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as s:
        transport = await make_unit(s, "市交通运输局")
        dev = await make_unit(s, "市发展改革委")
        s.add(UnitAlias(unit_id=dev.id, alias="市发改委"))
        counties = await make_unit(s, "各县(区)", UnitKind.COLLECTIVE)
        yanjiang = await make_unit(s, "雁江区", UnitKind.COUNTY)
        s.add(UnitMember(collective_id=counties.id, member_id=yanjiang.id))
        plan = await make_plan(s, 2023)
        await make_task(s, plan, 4, leads=[dev], supports=[counties])
        await make_task(s, plan, 5, leads=[transport], supports=[counties], milestones={1: "开工"})
        other = await make_plan(s, 2021, "十件大事")
        await make_task(s, other, 1, leads=[transport])
    await engine.dispose()


def test_units_and_tasks_json(cli_env: str) -> None:
    asyncio.run(_seed(cli_env))
    result = runner.invoke(app, ["units", "--json"])
    assert result.exit_code == 0, result.output
    units = {u["name"]: u for u in json.loads(result.output)}
    assert units["市发展改革委"]["aliases"] == ["市发改委"]
    assert units["各县(区)"] == {
        "name": "各县(区)",
        "kind": "collective",
        "aliases": [],
        "members": ["雁江区"],
        "paused": False,
    }

    result = runner.invoke(app, ["tasks", "--plan", "2023", "--json"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(result.output)
    assert [t["number"] for t in tasks] == [4, 5]
    assert tasks[1]["lead_units"] == ["市交通运输局"]
    assert tasks[1]["support_units"] == ["各县(区)"]
    assert tasks[1]["milestones"] == {"Q1": "开工"}

    result = runner.invoke(app, ["tasks", "--unit", "市交通运输局", "--json"])
    assert [(t["plan_year"], t["number"]) for t in json.loads(result.output)] == [
        (2021, 1),
        (2023, 5),
    ]
    by_alias = runner.invoke(app, ["tasks", "--unit", "市发改委", "--json"])
    assert [t["number"] for t in json.loads(by_alias.output)] == [4]
    text_listing = runner.invoke(app, ["tasks"])
    assert "牵头: 市发展改革委" in text_listing.output


def test_empty_registry_lists_nothing(cli_env: str) -> None:
    result = runner.invoke(app, ["units", "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_run_without_token_says_what_to_do(cli_env: str) -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "LEDGERBOT_TELEGRAM_TOKEN is not set" in result.output


def test_bad_setting_is_one_clear_line(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERBOT_TIMEZONE", "Nowhere/Town")
    result = runner.invoke(app, ["units"])
    assert result.exit_code == 2
    assert "LEDGERBOT_TIMEZONE" in result.output and "unknown time zone" in result.output


def test_fresh_sqlite_file_is_created_and_upgraded(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGERBOT_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 0
    assert runner.invoke(app, ["units"]).exit_code == 0
    assert (tmp_path / "data" / "ledgerbot.db").exists()
    head = schema.head_revision()
    assert f"database: {head}; code: {head}" in runner.invoke(app, ["db", "current"]).output


@pytest.mark.parametrize("db_kind", ["postgres"])
def test_postgres_refuses_an_old_schema_until_upgraded(
    monkeypatch: pytest.MonkeyPatch, empty_db_url: str, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGERBOT_DATABASE_URL", empty_db_url)
    monkeypatch.setenv("LEDGERBOT_TELEGRAM_TOKEN", "123456:test-token")
    for command in (["units"], ["run"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "run `ledgerbot db upgrade` first" in result.output
        logging.getLogger().handlers.clear()  # `run` logged to CliRunner's closed stream
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0
    assert f"revision {schema.head_revision()}" in upgraded.output
    assert runner.invoke(app, ["units", "--json"]).output.strip() == "[]"
