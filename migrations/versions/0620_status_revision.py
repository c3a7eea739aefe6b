"""status_revision: numbers that change with every write the status summary reads, so each
process may keep its last summary until they change (issue #17)

`value` changes with any write to the tables the summary reads; `places` only with writes that
can move a unit in the document's order (the registry's plans, tasks and links, and which
obligations exist): reports and reviews leave it, so the order is not computed again for them.
The summary's covering index gains `role` (the supporting units' counts read it), and the
digest's 滞后 list gets its own index.

A later revision that copies one of these tables on SQLite (batch mode) drops its triggers and
must create them again: until then no process uses the cache (services.status_revision counts
the triggers), and tests/services/test_status_cache.py fails.

SQLite: row triggers set a new random number at once (writers are serialised anyway).
PostgreSQL: deferred constraint triggers take a new number from a sequence at commit, once per
transaction (the row is locked only while committing: no deadlock with the rows a transaction
writes), and statement triggers mark the transaction as having written (a transaction that
wrote must not read, nor fill, the cache before its commit bumps the numbers).

Revision ID: 0620
Revises: 0610
Create Date: 2026-11-27 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0620"
down_revision: str | None = "0610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRACKED = ("obligations", "progress_entries", "units", "tasks", "task_units", "plans",
           "ledger_periods")  # fmt: skip
ORDER = ("tasks", "task_units", "plans")  # and obligations' ORDER_COLUMNS, inserts and deletes
ORDER_COLUMNS = "task_id, unit_id, role, via_unit_id, plan_id"
OPERATIONS = ("insert", "update", "delete")


def _pg_bump(column: str) -> str:
    return f"""CREATE FUNCTION status_revision_bump_{column}() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE status_revision
    SET {column} = nextval('status_revision_values'), {column}_txid = txid_current()
    WHERE id = 1 AND {column}_txid IS DISTINCT FROM txid_current();
    RETURN NULL;
END $$"""


PG_DIRTY = """CREATE FUNCTION status_revision_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('ledgerbot.status_dirty', '1', true);
    RETURN NULL;
END $$"""


def _pg_deferred(name: str, events: str, table: str, column: str) -> str:
    return (
        f"CREATE CONSTRAINT TRIGGER {name} AFTER {events} ON {table} DEFERRABLE INITIALLY "
        f"DEFERRED FOR EACH ROW EXECUTE FUNCTION status_revision_bump_{column}()"
    )


COUNTS = ["period", "unit_id", "task_id", "plan_id", "due_at", "counted_at", "contacts",
          "has_principal"]  # fmt: skip
WITH_ROLE = [*COUNTS[:4], "role", *COUNTS[4:]]  # the support counts read the index alone too


def _counts_index(columns: list[str]) -> None:
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_index("ix_obligations_period_unit_counts")
        batch_op.create_index("ix_obligations_period_unit_counts", columns, unique=False)


def upgrade() -> None:
    _counts_index(WITH_ROLE)  # before the triggers: batch mode may copy the table
    with op.batch_alter_table("progress_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_entries_behind",
            ["period", "status", "unit_id", "task_id"],
            unique=False,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
    op.create_table(
        "status_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("value_txid", sa.BigInteger(), nullable=True),
        sa.Column("places", sa.BigInteger(), nullable=False),
        sa.Column("places_txid", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_revision")),
    )
    op.execute("INSERT INTO status_revision (id, value, places) VALUES (1, 0, 0)")
    everything = "INSERT OR UPDATE OR DELETE"
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE status_revision_values")
        for function in (_pg_bump("value"), _pg_bump("places"), PG_DIRTY):
            op.execute(function)
        for table in TRACKED:
            op.execute(_pg_deferred(f"status_revision_{table}", everything, table, "value"))
            op.execute(
                f"CREATE TRIGGER status_dirty_{table} AFTER {everything} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION status_revision_dirty()"
            )
        for table in ORDER:
            op.execute(_pg_deferred(f"status_places_{table}", everything, table, "places"))
        events = f"INSERT OR DELETE OR UPDATE OF {ORDER_COLUMNS}"
        op.execute(_pg_deferred("status_places_obligations", events, "obligations", "places"))
        return
    for table in TRACKED:
        for operation in OPERATIONS:
            places = ", places = random()" if table in ORDER else ""
            if table == "obligations":
                events = f"UPDATE OF {ORDER_COLUMNS}" if operation == "update" else operation
                op.execute(
                    f"CREATE TRIGGER status_places_obligations_{operation} AFTER "
                    f"{events.upper()} ON obligations "
                    "BEGIN UPDATE status_revision SET places = random() WHERE id = 1; END"
                )
            op.execute(
                f"CREATE TRIGGER status_revision_{table}_{operation} AFTER {operation.upper()} "
                f"ON {table} BEGIN UPDATE status_revision SET value = random(){places} "
                "WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRACKED:
            op.execute(f"DROP TRIGGER status_revision_{table} ON {table}")
            op.execute(f"DROP TRIGGER status_dirty_{table} ON {table}")
        for table in (*ORDER, "obligations"):
            op.execute(f"DROP TRIGGER status_places_{table} ON {table}")
        op.execute("DROP FUNCTION status_revision_bump_value()")
        op.execute("DROP FUNCTION status_revision_bump_places()")
        op.execute("DROP FUNCTION status_revision_dirty()")
        op.execute("DROP SEQUENCE status_revision_values")
    else:
        for table in TRACKED:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER status_revision_{table}_{operation}")
        for operation in OPERATIONS:
            op.execute(f"DROP TRIGGER status_places_obligations_{operation}")
    op.drop_table("status_revision")
    with op.batch_alter_table("progress_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_entries_behind")
    _counts_index(COUNTS)
