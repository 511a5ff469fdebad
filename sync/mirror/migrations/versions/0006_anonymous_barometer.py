"""the anonymous barometer: months, who answered, aggregate counts, announcements

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-27 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "barometer_months",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("answered", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lost", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "barometer_respondents",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("user_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("cooperative", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
    )
    op.create_table(
        "barometer_cells",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("cooperative", sa.String(length=20), primary_key=True),
        sa.Column("role", sa.String(length=20), primary_key=True),
        sa.Column("respondents", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "barometer_counts",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("cooperative", sa.String(length=20), primary_key=True),
        sa.Column("role", sa.String(length=20), primary_key=True),
        sa.Column("axis", sa.String(length=40), primary_key=True),
        sa.Column("value", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "barometer_announcements",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("cooperative", sa.String(length=20), primary_key=True),
        sa.Column("topic_id", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "barometer_announcements",
        "barometer_counts",
        "barometer_cells",
        "barometer_respondents",
        "barometer_months",
    ):
        op.drop_table(table)
