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


async def test_ledger_of_record_upgrade_keeps_existing_data(empty_db_url: str) -> None:
    """0003 → head on a populated database: plans get a whole-year window and a code from their
    title, a paused unit a pause from the upgrade day, and an entry counted without a reviewer
    becomes `accepted` while a principal's approval stays `approved`."""
    from sqlalchemy import text

    engine = make_engine(empty_db_url)
    try:
        await schema.upgrade(engine, "0003")
        async with engine.begin() as c:
            for sql in (
                "INSERT INTO plans (id, year, title, created_at, updated_at) VALUES "
                "(1, 2023, '成资同城化发展2023年工作要点', '2023-03-08', '2023-03-08'), "
                "(2, 2024, '成资同城化发展2024年工作要点', '2024-03-08', '2024-03-08')",
                "INSERT INTO tasks (id, plan_id, number, text, active, updated_at) VALUES "
                "(1, 1, 5, '推进工作', true, '2023-03-08')",
                "INSERT INTO units (id, name, kind, paused, created_at) VALUES "
                "(1, '安岳县', 'county', true, '2023-03-08'), "
                "(2, '乐至县', 'county', false, '2023-03-08')",
                "INSERT INTO progress_entries (id, task_id, unit_id, period, version, is_current,"
                " state, status, progress, late, reviewed_by, created_at) VALUES "
                "(1, 1, 1, '2023-03', 1, true, 'approved', 'on_track', 'a', false, NULL,"
                " '2023-04-03'), "
                "(2, 1, 2, '2023-03', 1, true, 'approved', 'on_track', 'b', false, 77,"
                " '2023-04-03')",
            ):
                await c.execute(text(sql))
        await schema.upgrade(engine)
        async with engine.connect() as c:
            plans = (
                await c.execute(
                    text("SELECT id, code, first_period, last_period FROM plans ORDER BY id")
                )
            ).all()
            pauses = (await c.execute(text("SELECT unit_id, ends_on FROM unit_pauses"))).all()
            states = (
                await c.execute(text("SELECT id, state FROM progress_entries ORDER BY id"))
            ).all()
        assert [tuple(p) for p in plans] == [
            (1, "工作要点", "2023-01", "2023-12"),
            (2, "工作要点2", "2024-01", "2024-12"),
        ]
        assert [tuple(p) for p in pauses] == [(1, None)]
        assert [tuple(s) for s in states] == [(1, "accepted"), (2, "approved")]
    finally:
        await engine.dispose()
