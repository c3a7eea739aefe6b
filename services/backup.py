"""Backups of the SQLite database: a consistent copy while the bot runs, compressed, with a
manifest; restore with checks. (PostgreSQL is backed up with pg_dump — see README.)

A backup is a `.tar.gz` holding `manifest.json` (format, time, schema revision, rows per
table) and `ledgerbot.db`, taken with SQLite's online backup API in one step: one read
transaction, so the copy is the database as of one commit while writers go on (WAL).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

FORMAT = 1
MANIFEST, DATABASE = "manifest.json", "ledgerbot.db"
PREFIX, SUFFIX = "ledgerbot-", ".tar.gz"
IGNORED_TABLES = {"alembic_version", "sqlite_sequence"}


class BackupError(Exception):
    """The backup or restore cannot be done; the message is one line for the operator."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    schema_revision: str | None
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def archive_name(at: datetime) -> str:
    """`ledgerbot-20230403-030000.tar.gz`: names sort by time (retention relies on it)."""
    return f"{PREFIX}{at.strftime('%Y%m%d-%H%M%S')}{SUFFIX}"


def describe(path: Path) -> tuple[str | None, dict[str, int]]:
    """Schema revision and rows per table of an SQLite file."""
    with closing(sqlite3.connect(path)) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        tables = {
            name: int(db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for name in names
            if name not in IGNORED_TABLES
        }
        revision = None
        if "alembic_version" in names:
            found = db.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
    return revision, tables


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup API, all pages in one step (one consistent snapshot)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained file, no -wal beside it


def backup_sqlite(database: Path, target: Path, now: datetime) -> Manifest:
    """Write a backup of `database` to `target` (a new file; never overwritten)."""
    if not database.is_file():
        raise BackupError(f"no SQLite database at {database}")
    if target.exists():
        raise BackupError(f"{target} exists; choose another path")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".ledgerbot-backup-") as work:
        copy = Path(work) / DATABASE
        _copy(database, copy)
        revision, tables = describe(copy)
        manifest = Manifest(FORMAT, now.isoformat(), revision, tables)
        (Path(work) / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
        partial = Path(work) / "partial.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
            archive.add(copy, arcname=DATABASE)
        partial.chmod(0o600)  # names and Telegram ids of real people: owner only
        os.link(partial, target)  # atomic, and refuses to replace a file that appeared since
    return manifest


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            data = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive_path} is not a ledgerbot backup ({exc})") from None
    if data.get("format") != FORMAT:
        raise BackupError(f"{archive_path}: unknown backup format {data.get('format')!r}")
    return Manifest(**data)


def has_data(database: Path) -> bool:
    """True if the file holds any row outside Alembic's bookkeeping."""
    if not database.exists() or database.stat().st_size == 0:
        return False
    _, tables = describe(database)
    return any(tables.values())


def restore_sqlite(
    archive_path: Path, database: Path, *, known_revisions: set[str], force: bool = False
) -> Manifest:
    """Replace `database` with the backup's copy, after checking the copy against its manifest."""
    manifest = read_manifest(archive_path)
    if manifest.schema_revision not in known_revisions:
        raise BackupError(
            f"the backup's schema revision {manifest.schema_revision} is unknown to this "
            "version of ledgerbot; restore it with the version that made it"
        )
    if not force and has_data(database):
        raise BackupError(f"{database} is not empty; add --force to overwrite it")
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".ledgerbot-restore-") as work:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extract(DATABASE, work, filter="data")
        copy = Path(work) / DATABASE
        with closing(sqlite3.connect(copy)) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{archive_path}: the database inside is damaged")
        revision, tables = describe(copy)
        if (revision, tables) != (manifest.schema_revision, manifest.tables):
            raise BackupError(f"{archive_path}: the database does not match its manifest")
        with closing(sqlite3.connect(copy)) as src, closing(sqlite3.connect(database)) as dst:
            dst.execute("PRAGMA busy_timeout = 30000")
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = WAL")
    return manifest


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups named by `archive_name` in `folder`."""
    backups = sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    doomed = backups[:-keep] if keep > 0 else backups
    for path in doomed:
        path.unlink()
    return doomed
