"""Sessions of the web service, kept in the mirror's database (DESIGN §10).

The signed cookie names a session; the session is open while its row exists and is younger than
the session's lifetime, so logging out (which deletes the row) ends it on the server side: a
copy of the cookie opens nothing afterwards. The member's groups are re-read from the mirror
(which webhooks keep within seconds of the forum) once they are older than `[web]
groups_ttl_minutes`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from sync.mirror import store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_session(engine: Engine, user_id: int, lifetime: timedelta) -> str:
    """A new random session id for `user_id`; sessions older than `lifetime` are purged."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as connection:
        store.add_session(connection, session_id, user_id, now, now - lifetime)
    return session_id


def is_open(engine: Engine, session_id: str, lifetime: timedelta) -> bool:
    """Whether `session_id` was opened less than `lifetime` ago and not closed."""
    with engine.connect() as connection:
        return store.session_is_open(connection, session_id, _now() - lifetime)


def close_session(engine: Engine, session_id: str) -> None:
    """End `session_id` on the server side (logging out)."""
    with engine.begin() as connection:
        store.remove_session(connection, session_id)


def mirrored_groups(engine: Engine, user_id: int) -> tuple[bool, frozenset[str]] | None:
    """(admin flag, groups) the mirror holds for `user_id` now, or None if it does not know them."""
    with engine.connect() as connection:
        return store.account_groups(connection, user_id)
