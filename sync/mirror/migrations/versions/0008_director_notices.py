"""director notices: the private message each director got when a month's reports were written

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "director_notices",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("pm_topic_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("month", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("director_notices")
