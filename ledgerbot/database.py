"""Open the database for a command: embedded SQLite upgrades itself, PostgreSQL must be current."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from models import schema
from models.db import make_engine


class SchemaOutOfDate(RuntimeError):
    """The database schema is behind the code; the message says which command fixes it."""


async def prepare(engine: AsyncEngine, settings: Settings) -> None:
    if settings.is_sqlite:
        await schema.upgrade(engine)
        return
    current, head = await schema.current_revision(engine), schema.head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `ledgerbot db upgrade` first"
        )


@asynccontextmanager
async def opened(settings: Settings, *, check: bool = True) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url)
    try:
        if check:
            await prepare(engine, settings)
        yield engine
    finally:
        await engine.dispose()
