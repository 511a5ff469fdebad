"""names as long as Discourse sends them: category, user and group names become TEXT

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:20:00

A category name longer than 255 characters stopped every sync on PostgreSQL (VARCHAR(255));
SQLite ignores the length, so only PostgreSQL needs the change, made on both for one schema.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WIDENED = {
    "categories": ("name", "slug"),
    "users": ("name",),
    "groups": ("full_name",),
}


def upgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, type_=sa.Text(), existing_type=sa.String(255))


def downgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, type_=sa.String(255), existing_type=sa.Text())
