"""the barometer keeps who answered as an HMAC under a per-month key, destroyed at closing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:30:00

Each open month gets a random key (`barometer_keys`) and its respondents' user ids become
HMACs under it; the rows of months already closed (there should be none) are dropped. The old
table is dropped with SQLite's `secure_delete` on, so its pages are overwritten, not just freed.
"""

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _secure_delete() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")


def upgrade() -> None:
    bind = op.get_bind()
    keys = op.create_table(
        "barometer_keys",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
    )
    open_months = (
        bind.execute(sa.text("SELECT month FROM barometer_months WHERE closed_on IS NULL"))
        .scalars()
        .all()
    )
    month_keys = {month: secrets.token_bytes(32) for month in open_months}
    old = bind.execute(
        sa.text("SELECT month, user_id, cooperative, role FROM barometer_respondents")
    ).all()
    _secure_delete()
    op.drop_table("barometer_respondents")
    respondents = op.create_table(
        "barometer_respondents",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("member", sa.String(length=64), primary_key=True),
        sa.Column("cooperative", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
    )
    if month_keys:
        op.bulk_insert(keys, [{"month": m, "key": k} for m, k in month_keys.items()])
    rows = [
        {
            "month": month,
            "member": hmac.new(
                month_keys[month], str(int(user_id)).encode(), hashlib.sha256
            ).hexdigest(),
            "cooperative": cooperative,
            "role": role,
        }
        for month, user_id, cooperative, role in old
        if month in month_keys
    ]
    if rows:
        op.bulk_insert(respondents, rows)


def downgrade() -> None:
    """Back to user ids: who answered an open month cannot be recovered from the HMACs, so the
    list starts empty again (a member of an open month could then answer a second time)."""
    _secure_delete()
    op.drop_table("barometer_respondents")
    op.drop_table("barometer_keys")
    op.create_table(
        "barometer_respondents",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("user_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("cooperative", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
    )
