"""Login nonces: issued by Campus, single-use, expiring (kept in the mirror's database)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from sync.mirror import store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def issue(engine: Engine, next_path: str, lifetime: timedelta) -> str:
    """A new random nonce remembered with where to go after login; expired ones are purged."""
    nonce = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as connection:
        store.add_nonce(connection, nonce, next_path, now, now - lifetime)
    return nonce


def consume(engine: Engine, nonce: str, lifetime: timedelta) -> str | None:
    """The `next` path of `nonce` if Campus issued it less than `lifetime` ago, else None.

    The row is deleted in the same transaction, and only the caller whose delete removed it
    gets the path: a nonce is accepted once, even by two concurrent requests.
    """
    with engine.begin() as connection:
        taken = store.take_nonce(connection, nonce)
    if taken is None:
        return None
    next_path, created_at = taken
    if created_at < _now() - lifetime:
        return None
    return next_path
