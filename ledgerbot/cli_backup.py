"""`ledgerbot backup` and `ledgerbot restore`: the SQLite database to and from one archive."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from ledgerbot.cli_base import app, fail, load_settings, now
from models import schema
from models.db import sqlite_path
from services.backup import BackupError, archive_name, backup_sqlite, restore_sqlite

PG_DUMP = (
    "PostgreSQL is backed up with pg_dump, not ledgerbot backup: "
    'pg_dump --format=custom --file=ledgerbot.dump "postgresql://USER@HOST/DB" (README: Backups)'
)
PG_RESTORE = (
    "PostgreSQL is restored with pg_restore, not ledgerbot restore: "
    'pg_restore --clean --if-exists --dbname="postgresql://USER@HOST/DB" ledgerbot.dump '
    "(README: Backups)"
)


@app.command()
def backup(
    path: Annotated[
        Path | None,
        typer.Argument(help="Archive file or folder (default: LEDGERBOT_BACKUP_DIR, else here)."),
    ] = None,
) -> None:
    """Back up the SQLite database while the bot runs (compressed, with a manifest)."""
    settings = load_settings()
    database = sqlite_path(settings.database_url)
    if database is None:
        raise fail(PG_DUMP)
    moment = now(settings).astimezone(settings.tz)
    target = path if path is not None else settings.backup_dir or Path.cwd()
    if target.is_dir():
        target = target / archive_name(moment)
    try:
        manifest = backup_sqlite(database, target, moment)
    except (BackupError, OSError, sqlite3.Error) as exc:
        raise fail(f"backup failed: {exc}") from None
    typer.echo(
        f"backup written to {target}: {manifest.rows} rows in {len(manifest.tables)} tables, "
        f"schema revision {manifest.schema_revision}"
    )


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="An archive made by `ledgerbot backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a database that holds data.")
    ] = False,
) -> None:
    """Restore the SQLite database from a backup (stop the bot first)."""
    settings = load_settings()
    database = sqlite_path(settings.database_url)
    if database is None:
        raise fail(PG_RESTORE)
    try:
        manifest = restore_sqlite(
            path, database, known_revisions=schema.known_revisions(), force=force
        )
    except (BackupError, OSError, sqlite3.Error) as exc:
        message = f"restore refused: {exc}" if isinstance(exc, BackupError) else str(exc)
        raise fail(message) from None
    typer.echo(
        f"restored {path} into {database}: {manifest.rows} rows, schema revision "
        f"{manifest.schema_revision} (backup of {manifest.created_at})"
    )
    if manifest.schema_revision != schema.head_revision():
        typer.echo("the bot upgrades the schema at its next start (or run `ledgerbot db upgrade`)")
