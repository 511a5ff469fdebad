"""the directors' action log: actions per cooperative and their history of changes (DESIGN §14)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cooperative", sa.String(length=20), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("axis", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("started", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_actions_cooperative", "actions", ["cooperative"], unique=False)
    op.create_index("ix_actions_kind", "actions", ["kind"], unique=False)
    op.create_table(
        "action_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_changes_action_id", "action_changes", ["action_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_action_changes_action_id", table_name="action_changes")
    op.drop_table("action_changes")
    op.drop_index("ix_actions_kind", table_name="actions")
    op.drop_index("ix_actions_cooperative", table_name="actions")
    op.drop_table("actions")
