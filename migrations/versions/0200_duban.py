"""督办: support reports per plan, 催办 (urges), 延期申请, 销号 (closures), 交办/签收 (assignments)

Revision ID: 0200
Revises: 0100
Create Date: 2026-11-27 16:00:00

Plans stored before keep support reports off (their open periods owe what they owed); rows of
the ledger of record keep their role (every existing obligation is a lead one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0200"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("support_reports", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "urges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_urges_unit_id_units"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urges")),
        sa.UniqueConstraint("unit_id", "day", name=op.f("uq_urges_unit_id_day")),
    )  # fmt: skip
    op.create_index("ix_urges_period", "urges", ["period"], unique=False)
    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.Enum("pending", "approved", "rejected", name="requeststate",
                                   native_enum=False, length=20), nullable=False),
        sa.Column("after_deadline", sa.Boolean(), nullable=False),
        sa.Column("previous_due_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("requested_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"],
                                name=op.f("fk_extension_requests_task_id_tasks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_extension_requests_unit_id_units"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
    )  # fmt: skip
    op.create_index("ix_extension_requests_period_unit", "extension_requests",
                    ["period", "unit_id"], unique=False)  # fmt: skip
    _closures()
    _assignments()


def _closures() -> None:
    op.create_table(
        "closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("state", sa.Enum("awaiting_principal", "awaiting_staff", "closed", "returned",
                                   "reopened", name="closurestate", native_enum=False,
                                   length=20), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("reopened_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_closures_task_id_tasks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_closures_unit_id_units"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures")),
    )  # fmt: skip
    op.create_index("ix_closures_task_unit", "closures", ["task_id", "unit_id"], unique=False)


def _assignments() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"],
                                name=op.f("fk_assignments_plan_id_plans"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_assignments_unit_id_units"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("plan_id", "unit_id", name=op.f("uq_assignments_plan_id_unit_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_assignments_unit_id"), "assignments", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_assignments_unit_id"), table_name="assignments")
    op.drop_table("assignments")
    op.drop_index("ix_closures_task_unit", table_name="closures")
    op.drop_table("closures")
    op.drop_index("ix_extension_requests_period_unit", table_name="extension_requests")
    op.drop_table("extension_requests")
    op.drop_index("ix_urges_period", table_name="urges")
    op.drop_table("urges")
    op.execute("DELETE FROM obligations WHERE role <> 'lead'")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("support_reports")
