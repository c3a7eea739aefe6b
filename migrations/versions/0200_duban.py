"""督办: supporting units' input per plan (plans.support_reports)

Revision ID: 0200
Revises: 0100
Create Date: 2026-11-27 16:00:00

Plans stored before keep support reports off (their open periods owe what they owed); rows of
the ledger of record keep their role (every existing obligation is a lead one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("support_reports", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    op.execute("DELETE FROM obligations WHERE role <> 'lead'")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("support_reports")
