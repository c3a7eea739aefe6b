"""api tokens and the grid's indexes: other systems read (or write) the ledger over the HTTP
API with tokens stored hashed; two indexes cover the Mini App's ledger grid

Revision ID: 0400
Revises: 0100
Create Date: 2026-11-27 15:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0400"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(
        "ix_obligations_grid",
        "obligations",
        ["period", "unit_id", "plan_id", "task_id", "counted_at", "due_at", "contacts"],
    )
    op.create_index(
        "ix_progress_entries_current_state",
        "progress_entries",
        ["period", "state", "unit_id", "task_id"],
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def downgrade() -> None:
    op.drop_index("ix_progress_entries_current_state", table_name="progress_entries")
    op.drop_index("ix_obligations_grid", table_name="obligations")
    op.drop_table("api_tokens")
