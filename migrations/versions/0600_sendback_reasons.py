"""send-back reasons: why a 延期申请 was declined and why a 销号 was sent back (issue #13)

Revision ID: 0600
Revises: 0500
Create Date: 2026-11-27 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0600"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.drop_column("return_reason")
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_column("decision_note")
