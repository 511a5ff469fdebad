"""forget the webhook id floor: seen event ids are now only kept for a few days

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM sync_state WHERE key = 'webhook.floor'"))


def downgrade() -> None:
    """Nothing to restore: without a floor every id above the pruned ones counts as new."""
