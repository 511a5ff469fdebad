"""Sessions of the web service: ended on the server side by logging out (DESIGN §10).

The signed cookie carries a random session id and the time the session was opened. Logging out
records the id as revoked (in the mirror's database, until the session would have expired), so a
copy of the cookie opens nothing afterwards; logging in writes nothing, so the database keeps no
trace of who was logged in when. The member's groups are re-read from the mirror (which webhooks
keep within seconds of the forum) once older than `[web] groups_ttl_minutes`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from sync.mirror import db, store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_session_id() -> str:
    """A random id for a new session."""
    return secrets.token_urlsafe(32)


def is_revoked(engine: Engine, session_id: str) -> bool:
    """Whether `session_id` was ended by logging out."""
    with db.reader(engine).connect() as connection:
        return store.session_is_revoked(connection, session_id)


def revoke(engine: Engine, session_id: str, opened_at: float, lifetime: timedelta) -> None:
    """End `session_id` (opened at `opened_at`, a Unix time) on the server side; it is kept until
    `lifetime` after it was opened, when its cookie is refused anyway."""
    expires_at = datetime.fromtimestamp(opened_at, UTC).replace(tzinfo=None) + lifetime
    with engine.begin() as connection:
        store.revoke_session(connection, session_id, max(expires_at, _now()), _now())


def mirrored_groups(engine: Engine, user_id: int) -> tuple[bool, frozenset[str]] | None:
    """(admin flag, groups) the mirror holds for `user_id` now, or None if it does not know them."""
    with db.reader(engine).connect() as connection:
        return store.account_groups(connection, user_id)
