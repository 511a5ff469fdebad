"""login requests of the web service (DiscourseConnect nonces)

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_nonces",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("next_path", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_index("ix_login_nonces_created_at", "login_nonces", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_login_nonces_created_at", table_name="login_nonces")
    op.drop_table("login_nonces")
