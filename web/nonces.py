"""Login nonces: issued by Campus, single-use, expiring (kept in the mirror's database)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from sync.mirror.schema import LoginNonce

TABLE = LoginNonce.__table__


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def issue(engine: Engine, next_path: str, lifetime: timedelta) -> str:
    """A new random nonce remembered with where to go after login; expired ones are purged."""
    nonce = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as connection:
        connection.execute(delete(TABLE).where(TABLE.c.created_at < now - lifetime))
        connection.execute(insert(TABLE).values(nonce=nonce, next_path=next_path, created_at=now))
    return nonce


def consume(engine: Engine, nonce: str, lifetime: timedelta) -> str | None:
    """The `next` path of `nonce` if Campus issued it less than `lifetime` ago, else None.

    The row is deleted in the same transaction, and only the caller whose delete removed it
    gets the path: a nonce is accepted once, even by two concurrent requests.
    """
    with engine.begin() as connection:
        row = connection.execute(
            select(TABLE.c.next_path, TABLE.c.created_at).where(TABLE.c.nonce == nonce)
        ).first()
        if row is None:
            return None
        removed = connection.execute(delete(TABLE).where(TABLE.c.nonce == nonce)).rowcount
    if removed != 1 or row.created_at < _now() - lifetime:
        return None
    return row.next_path
