"""the barometer's monthly summary posted in each cooperative's topic at closing (DESIGN §14)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("barometer_announcements") as batch:
        batch.add_column(sa.Column("summary_post_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("barometer_announcements") as batch:
        batch.drop_column("summary_post_id")
