"""forget the webhook id floor: seen event ids are now only kept for a few days

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM sync_state WHERE key = 'webhook.floor'"))


def downgrade() -> None:
    """Nothing to restore: without a floor every id above the pruned ones counts as new."""
