"""`ledgerbot backup` / `restore` and the nightly backup, with the real bot process writing."""

from __future__ import annotations

import asyncio
import json
import tarfile
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from models import ProgressEntry
from models.db import make_engine
from services.backup import describe, read_manifest
from tests.campaigns.crash import create_users
from tests.e2e.harness import Harness
from tests.e2e.seed import seed, seed_fanout

pytestmark = pytest.mark.e2e


async def _entries(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        texts = (await connection.scalars(select(ProgressEntry.progress))).all()
    await engine.dispose()
    return set(texts)


def entries(url: str) -> set[str]:
    return asyncio.run(_entries(url))


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_backup_taken_while_reports_arrive_restores_every_committed_entry(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    harness = sqlite_harness
    users = seed_fanout(harness.db_url, units=20)
    create_users(harness, users)
    lines = [(users[i % 20], f"/report {i % 20 + 1} 序时推进 第{i}条") for i in range(240)]
    wanted = {line.split(" ", 3)[3] for _, line in lines}
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T11:00:00+08:00")

    def send_all() -> None:
        for user, line in lines:
            harness.control.send_message(user, line)
            time.sleep(0.02)

    sender = threading.Thread(target=send_all)
    sender.start()
    try:
        deadline = time.monotonic() + 120
        while len(entries(harness.db_url)) < 40:  # well into the campaign
            assert time.monotonic() < deadline, harness.bot.log()[-3000:]
            time.sleep(0.1)
        committed = entries(harness.db_url)  # every entry committed before the backup began
        archive = tmp_path / "during.tar.gz"
        made = harness.cli("backup", str(archive))
        assert made.stdout.startswith(f"backup written to {archive}: ")
    finally:
        sender.join()
    deadline = time.monotonic() + 120
    while entries(harness.db_url) != wanted:  # the bot went on storing every report
        assert time.monotonic() < deadline, harness.bot.log()[-3000:]
        time.sleep(0.3)
    harness.bot.stop()
    fresh = tmp_path / "fresh" / "restored.db"
    restored_env = {"LEDGERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{fresh}"}
    harness.extra_env.update(restored_env)
    result = harness.cli("restore", str(archive))
    assert result.stdout.startswith(f"restored {archive} into {fresh}: ")
    restored = entries(f"sqlite+aiosqlite:///{fresh}")
    assert committed <= restored <= wanted
    manifest = read_manifest(archive)
    revision, tables = describe(fresh)
    assert manifest.tables == tables and manifest.schema_revision == revision
    assert tables["progress_entries"] == len(restored)
    assert harness.cli("status", "--json").returncode == 0  # the restored database works


def test_restore_refuses_a_database_with_data_unless_forced(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    harness = sqlite_harness
    seed(harness.db_url)
    archive = tmp_path / "backups"
    archive.mkdir()
    made = harness.cli("backup", str(archive))
    (written,) = list(archive.glob("ledgerbot-*.tar.gz"))
    assert str(written) in made.stdout
    assert written.stat().st_mode & 0o777 == 0o600  # personal data: owner only
    with tarfile.open(written) as tar:
        assert sorted(tar.getnames()) == ["ledgerbot.db", "manifest.json"]
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["tables"]["units"] == 5 and manifest["tables"]["tasks"] == 3  # seed's
    refused = harness.cli("restore", str(written), check=False)
    assert refused.returncode == 2
    assert one_line(refused.stderr) == (
        f"error: restore refused: {harness.db_url.split('///')[1]} is not empty; "
        "add --force to overwrite it"
    )
    harness.cli("staff", "add", "4242")  # a change after the backup…
    assert harness.cli("restore", str(written), "--force").returncode == 0
    assert "4242" not in harness.cli("staff", "list").stdout  # …is gone again


def test_a_file_that_is_no_backup_is_refused(sqlite_harness: Harness, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a backup at all")
    result = sqlite_harness.cli("restore", str(bogus), check=False)
    assert result.returncode == 2
    assert one_line(result.stderr).startswith(f"error: restore refused: {bogus} is not a ")


@pytest.mark.postgres
def test_postgresql_is_pointed_to_pg_dump(sqlite_harness: Harness, postgres_migrated: str) -> None:
    sqlite_harness.extra_env["LEDGERBOT_DATABASE_URL"] = postgres_migrated
    for command, tool in (("backup", "pg_dump"), ("restore", "pg_restore")):
        args = (command, "x.tar.gz") if command == "restore" else (command,)
        result = sqlite_harness.cli(*args, check=False)
        assert result.returncode == 2
        line = one_line(result.stderr)
        assert line.startswith(f"error: PostgreSQL is backed up with {tool}") or line.startswith(
            f"error: PostgreSQL is restored with {tool}"
        )


def test_the_nightly_backup_runs_at_its_time_and_keeps_the_newest(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    harness = sqlite_harness
    seed(harness.db_url)
    folder = tmp_path / "nightly"
    folder.mkdir()
    old = ["ledgerbot-20230401-030000.tar.gz", "ledgerbot-20230402-030000.tar.gz"]
    for name in old:
        (folder / name).write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup: never touched")
    harness.start(
        LEDGERBOT_FAKE_NOW="2023-04-04T02:59:57+08:00",
        LEDGERBOT_BACKUP_DIR=str(folder),
        LEDGERBOT_BACKUP_KEEP="2",
    )
    made = folder / "ledgerbot-20230404-030000.tar.gz"
    deadline = time.monotonic() + 60
    while not made.exists():
        assert time.monotonic() < deadline, harness.bot.log()[-3000:]
        time.sleep(0.2)
    deadline = time.monotonic() + 30
    while (folder / old[0]).exists():  # pruned right after the backup
        assert time.monotonic() < deadline, harness.bot.log()[-3000:]
        time.sleep(0.2)
    harness.bot.stop()
    assert sorted(p.name for p in folder.iterdir()) == [old[1], made.name, "notes.txt"]
    manifest = read_manifest(made)
    assert manifest.tables["tasks"] == 3
    assert datetime.fromisoformat(manifest.created_at).hour == 3
