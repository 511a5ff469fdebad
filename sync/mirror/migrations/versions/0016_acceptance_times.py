"""where a solution's acceptance time comes from (the accepted_solution webhook, the Solved
plugin's user actions, or nowhere: the digest then dates it by its answer)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solutions") as batch_op:
        batch_op.add_column(sa.Column("acceptance_source", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solutions") as batch_op:
        batch_op.drop_column("acceptance_source")
