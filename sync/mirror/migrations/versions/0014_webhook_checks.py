"""the checks webhook events leave to do against the forum, kept until done (issue 23)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("webhook_checks")
