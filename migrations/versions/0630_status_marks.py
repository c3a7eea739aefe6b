"""status_marks: which (period, unit) each committed write touched, so a kept status summary
counts again only those units after a report instead of all 2,000 (issue #17)

A row per (period, unit) holds the number of the last write that touched it: writes to
obligations and progress_entries mark their (period, unit), writes to units mark the unit in
every period (period ""), writes to ledger_periods mark everything (period "", unit 0). The
registry's plans, tasks and links already move `status_revision.places`, which counts every
unit again.

SQLite: row triggers count `status_revision.marked` up and mark with it (writers are
serialised). PostgreSQL: deferred constraint triggers mark at commit with the transaction's
`status_revision.value` (taken once per transaction, under the row's lock, so numbers follow
commit order and a reader that sees a number sees every mark up to it).

The triggers are named `marks_*`: services.status_revision counts them beside 0620's.

Revision ID: 0630
Revises: 0620
Create Date: 2026-11-27 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0630"
down_revision: str | None = "0620"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROWS = ("obligations", "progress_entries")  # mark (period, unit_id)
OPERATIONS = ("insert", "update", "delete")

PG_NUMBER = """CREATE FUNCTION status_marks_number() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    number bigint := nullif(current_setting('ledgerbot.status_number', true), '')::bigint;
BEGIN
    IF number IS NULL THEN
        UPDATE status_revision
        SET value = nextval('status_revision_values'), value_txid = txid_current()
        WHERE id = 1 AND value_txid IS DISTINCT FROM txid_current();
        SELECT value INTO number FROM status_revision WHERE id = 1;
        PERFORM set_config('ledgerbot.status_number', number::text, true);
    END IF;
    RETURN number;
END $$"""

PG_MARK = """CREATE FUNCTION status_mark(at_period text, at_unit integer, number bigint)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO status_marks AS m (period, unit_id, mark) VALUES (at_period, at_unit, number)
    ON CONFLICT (period, unit_id) DO UPDATE SET mark = EXCLUDED.mark
    WHERE m.mark < EXCLUDED.mark
$$"""

PG_ROWS = """CREATE FUNCTION status_marks_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    number bigint := status_marks_number();
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM status_mark(OLD.period, OLD.unit_id, number);
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM status_mark(NEW.period, NEW.unit_id, number);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (NEW.period, NEW.unit_id) IS DISTINCT FROM (OLD.period, OLD.unit_id) THEN
            PERFORM status_mark(NEW.period, NEW.unit_id, number);
        END IF;
    END IF;
    RETURN NULL;
END $$"""

PG_UNITS = """CREATE FUNCTION status_marks_units() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    number bigint := status_marks_number();
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM status_mark('', OLD.id, number);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM status_mark('', NEW.id, number);
    END IF;
    RETURN NULL;
END $$"""

PG_EVERYTHING = """CREATE FUNCTION status_marks_everything() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM status_mark('', 0, status_marks_number());
    RETURN NULL;
END $$"""

PG_FUNCTIONS = {"obligations": "rows", "progress_entries": "rows", "units": "units",
                "ledger_periods": "everything"}  # fmt: skip


def _sqlite_body(marks: list[tuple[str, str]]) -> str:
    body = "UPDATE status_revision SET marked = marked + 1 WHERE id = 1;"
    for period, unit in marks:
        body += (
            f" INSERT INTO status_marks (period, unit_id, mark) SELECT {period}, {unit}, marked"
            " FROM status_revision WHERE id = 1"
            " ON CONFLICT (period, unit_id) DO UPDATE SET mark = excluded.mark;"
        )
    return body


def _sqlite_marks(table: str, operation: str) -> list[tuple[str, str]]:
    rows = {"insert": ["NEW"], "delete": ["OLD"], "update": ["OLD", "NEW"]}[operation]
    if table in ROWS:
        return [(f"{row}.period", f"{row}.unit_id") for row in rows]
    if table == "units":
        return [("''", f"{row}.id") for row in rows]
    return [("''", "0")]


def upgrade() -> None:
    # plain ALTER TABLE: a batch copy of status_revision would break 0620's triggers
    op.add_column(
        "status_revision",
        sa.Column("marked", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.create_table(
        "status_marks",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mark", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("period", "unit_id", name=op.f("pk_status_marks")),
    )
    with op.batch_alter_table("status_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_marks_mark"), ["mark"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for function in (PG_NUMBER, PG_MARK, PG_ROWS, PG_UNITS, PG_EVERYTHING):
            op.execute(function)
        for table, function in PG_FUNCTIONS.items():
            op.execute(
                f"CREATE CONSTRAINT TRIGGER marks_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION status_marks_{function}()"
            )
        return
    for table in PG_FUNCTIONS:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER marks_{table}_{operation} AFTER {operation.upper()} ON {table} "
                f"BEGIN {_sqlite_body(_sqlite_marks(table, operation))} END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PG_FUNCTIONS:
            op.execute(f"DROP TRIGGER marks_{table} ON {table}")
        for function in ("rows", "units", "everything"):
            op.execute(f"DROP FUNCTION status_marks_{function}()")
        op.execute("DROP FUNCTION status_mark(text, integer, bigint)")
        op.execute("DROP FUNCTION status_marks_number()")
    else:
        for table in PG_FUNCTIONS:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER marks_{table}_{operation}")
    with op.batch_alter_table("status_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_marks_mark"))
    op.drop_table("status_marks")
    op.drop_column("status_revision", "marked")
