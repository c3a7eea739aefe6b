"""The migrations and the models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from models import Base, schema
from models.db import make_engine


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_and_downgrades(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert await schema.current_revision(engine) is None
        await schema.upgrade(engine)
        assert await schema.is_up_to_date(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
            assert set(Base.metadata.tables) <= await connection.run_sync(_tables)
        await schema.downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}
        assert await schema.current_revision(engine) is None
    finally:
        await engine.dispose()


def test_revisions_form_one_line() -> None:
    script = schema.ScriptDirectory.from_config(schema.alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1, f"migration history has several heads: {heads}"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
