"""status_revision: one number that changes with every write the status summary reads, so each
process may keep its last summary until it changes (issue #17)

SQLite: row triggers set a new random value at once (writers are serialised anyway).
PostgreSQL: a deferred constraint trigger takes a new value from a sequence at commit, once per
transaction (so the row is locked only while committing: no deadlock with the rows a transaction
writes), and a statement trigger marks the transaction as having written (a transaction that
wrote must not read, nor fill, the cache before its commit bumps the number).

Revision ID: 0510
Revises: 0500
Create Date: 2026-11-27 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0510"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRACKED = ("obligations", "progress_entries", "units", "tasks", "task_units", "plans",
           "ledger_periods")  # fmt: skip
OPERATIONS = ("insert", "update", "delete")

PG_FUNCTIONS = (
    """CREATE FUNCTION status_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_revision SET value = nextval('status_revision_values'), txid = txid_current()
    WHERE id = 1 AND txid IS DISTINCT FROM txid_current();
    RETURN NULL;
END $$""",
    """CREATE FUNCTION status_revision_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('ledgerbot.status_dirty', '1', true);
    RETURN NULL;
END $$""",
)


def upgrade() -> None:
    op.create_table(
        "status_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_revision")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE status_revision_values")
        op.execute("INSERT INTO status_revision (id, value) VALUES (1, 0)")
        for function in PG_FUNCTIONS:
            op.execute(function)
        for table in TRACKED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER status_revision_{table} AFTER INSERT OR UPDATE OR "
                f"DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION status_revision_bump()"
            )
            op.execute(
                f"CREATE TRIGGER status_dirty_{table} AFTER INSERT OR UPDATE OR DELETE ON "
                f"{table} FOR EACH STATEMENT EXECUTE FUNCTION status_revision_dirty()"
            )
        return
    op.execute("INSERT INTO status_revision (id, value) VALUES (1, 0)")
    for table in TRACKED:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER status_revision_{table}_{operation} AFTER {operation.upper()} "
                f"ON {table} BEGIN UPDATE status_revision SET value = random() WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRACKED:
            op.execute(f"DROP TRIGGER status_revision_{table} ON {table}")
            op.execute(f"DROP TRIGGER status_dirty_{table} ON {table}")
        op.execute("DROP FUNCTION status_revision_bump()")
        op.execute("DROP FUNCTION status_revision_dirty()")
        op.execute("DROP SEQUENCE status_revision_values")
    else:
        for table in TRACKED:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER status_revision_{table}_{operation}")
    op.drop_table("status_revision")
