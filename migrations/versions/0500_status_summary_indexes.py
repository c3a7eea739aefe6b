"""status summary indexes: per-unit counts read from indexes alone (issue #17)

Revision ID: 0500
Revises: 0100
Create Date: 2026-11-27 16:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0500"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ["period", "unit_id", "task_id", "plan_id", "due_at", "counted_at", "contacts",
          "has_principal"]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.create_index("ix_obligations_period_unit_counts", COUNTS, unique=False)
    with op.batch_alter_table("progress_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_entries_waiting",
            ["period", "state", "is_current", "unit_id", "task_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_entries_waiting")
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_index("ix_obligations_period_unit_counts")
