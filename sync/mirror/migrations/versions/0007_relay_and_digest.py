"""relay and digest: topic tags, category permissions, relay suggestions, digest publications

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-27 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_tags",
        sa.Column("topic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", "tag"),
    )
    op.create_index(op.f("ix_topic_tags_tag"), "topic_tags", ["tag"], unique=False)
    op.create_table(
        "category_permissions",
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_name", sa.String(length=60), nullable=False),
        sa.Column("permission_type", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("category_id", "group_name"),
    )
    op.create_table(
        "relay_suggestions",
        sa.Column("topic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("suggested_at", sa.DateTime(), nullable=False),
        sa.Column("pm_topic_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("topic_id", "user_id"),
    )
    op.create_index(
        op.f("ix_relay_suggestions_user_id"), "relay_suggestions", ["user_id"], unique=False
    )
    op.create_index(
        op.f("ix_relay_suggestions_suggested_at"),
        "relay_suggestions",
        ["suggested_at"],
        unique=False,
    )
    op.create_table(
        "digest_publications",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "month"),
    )


def downgrade() -> None:
    op.drop_table("digest_publications")
    op.drop_index(op.f("ix_relay_suggestions_suggested_at"), table_name="relay_suggestions")
    op.drop_index(op.f("ix_relay_suggestions_user_id"), table_name="relay_suggestions")
    op.drop_table("relay_suggestions")
    op.drop_table("category_permissions")
    op.drop_index(op.f("ix_topic_tags_tag"), table_name="topic_tags")
    op.drop_table("topic_tags")
