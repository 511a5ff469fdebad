"""topic tags (the themes of the expertise map)

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-27 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_tags",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", "tag"),
    )


def downgrade() -> None:
    op.drop_table("topic_tags")
