"""the day each cooperative's barometer topic got its reminder, so the worker reminds once a month

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("barometer_announcements") as batch:
        batch.add_column(sa.Column("reminded_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("barometer_announcements") as batch:
        batch.drop_column("reminded_on")
