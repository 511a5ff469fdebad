"""The store's service tables and reads: applied webhook events, login nonces, relay
suggestions, digest publications, revoked web sessions, and what the web service reads (health,
« Mes données », a logged-in member's groups)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from sync.mirror.schema import (
    DigestPublication,
    LoginNonce,
    RelaySuggestion,
    RevokedSession,
    SyncState,
    User,
    WebhookCheck,
    WebhookEvent,
)
from sync.mirror.store.accounts import group_names_of, membership_count
from sync.mirror.store.base import (
    STATE_LAST_WEBHOOK,
    last_finished_run,
    set_state,
    upsert,
)

# ---------------------------------------------------------------------- webhook events


def claim_event(conn: Connection, event_id: int, at: datetime) -> bool:
    """Record webhook event `event_id` as received at `at`; False if it already was (and is
    not yet pruned), and then the caller applies nothing."""
    seen = conn.execute(
        select(WebhookEvent.event_id).where(WebhookEvent.event_id == event_id)
    ).first()
    if seen is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(WebhookEvent.__table__.insert().values(event_id=event_id, received_at=at))
    except IntegrityError:  # another process applied it between the select and the insert
        return False
    return True


def record_webhook_time(conn: Connection, at: datetime) -> None:
    """Remember when the last webhook event was applied (`campus stats`, health)."""
    set_state(conn, STATE_LAST_WEBHOOK, at.isoformat())


def prune_events(conn: Connection, older_than: datetime) -> int:
    """Forget the event ids received before `older_than`, whatever their value; return how
    many were forgotten."""
    return conn.execute(delete(WebhookEvent).where(WebhookEvent.received_at < older_than)).rowcount


CHECKS = WebhookCheck.__table__


def queue_checks(
    conn: Connection,
    posts: dict[int, set[int]],
    topics: set[int],
    users: set[int],
    at: datetime,
    accepted: dict[int, set[int]] | None = None,
) -> None:
    """Remember checks to do against the forum: posts (by topic), topics, accounts, and posts
    an `accepted_solution` delivery named (kind "accepted": re-read, and dated by `at`)."""
    rows = [
        {"kind": "post", "topic_id": topic_id, "target_id": post_id, "queued_at": at}
        for topic_id, ids in posts.items()
        for post_id in ids
    ]
    rows += [
        {"kind": "accepted", "topic_id": topic_id, "target_id": post_id, "queued_at": at}
        for topic_id, ids in (accepted or {}).items()
        for post_id in ids
    ]
    rows += [{"kind": "topic", "topic_id": None, "target_id": t, "queued_at": at} for t in topics]
    rows += [{"kind": "user", "topic_id": None, "target_id": u, "queued_at": at} for u in users]
    if rows:
        conn.execute(insert(CHECKS), rows)


def queued_checks(conn: Connection) -> list[Any]:
    """Every check still to do: rows (id, kind, topic_id, target_id, queued_at), oldest first."""
    columns = (CHECKS.c.id, CHECKS.c.kind, CHECKS.c.topic_id, CHECKS.c.target_id)
    return conn.execute(select(*columns, CHECKS.c.queued_at).order_by(CHECKS.c.id)).all()


def count_checks(conn: Connection) -> int:
    """How many checks are still to do."""
    return int(conn.execute(select(func.count()).select_from(CHECKS)).scalar() or 0)


def clear_checks(conn: Connection, ids: list[int]) -> None:
    """Forget the checks `ids`, done."""
    for start in range(0, len(ids), 500):
        conn.execute(delete(CHECKS).where(CHECKS.c.id.in_(ids[start : start + 500])))


# ---------------------------------------------------------------------- login nonces

NONCES = LoginNonce.__table__


def add_nonce(
    conn: Connection, nonce: str, next_path: str, at: datetime, expired: datetime
) -> None:
    """Remember a login nonce issued at `at`; forget those issued before `expired`."""
    conn.execute(delete(NONCES).where(NONCES.c.created_at < expired))
    conn.execute(insert(NONCES).values(nonce=nonce, next_path=next_path, created_at=at))


def take_nonce(conn: Connection, nonce: str) -> tuple[str, datetime] | None:
    """(next path, issue time) of `nonce`, deleted in the caller's transaction; None if it is
    unknown or another caller's delete removed it first (a nonce is taken once)."""
    row = conn.execute(
        select(NONCES.c.next_path, NONCES.c.created_at).where(NONCES.c.nonce == nonce)
    ).first()
    if row is None:
        return None
    removed = conn.execute(delete(NONCES).where(NONCES.c.nonce == nonce)).rowcount
    if removed != 1:
        return None
    return row.next_path, row.created_at


# ---------------------------------------------------------------------- web sessions

REVOKED = RevokedSession.__table__


def revoke_session(conn: Connection, session_id: str, expires_at: datetime, now: datetime) -> None:
    """Remember that `session_id` was ended (until `expires_at`); forget those expired by `now`."""
    conn.execute(delete(REVOKED).where(REVOKED.c.expires_at < now))
    upsert(conn, REVOKED, [{"id": session_id, "expires_at": expires_at}], ["id"])


def session_is_revoked(conn: Connection, session_id: str) -> bool:
    """Whether `session_id` was ended by logging out."""
    return conn.execute(select(REVOKED.c.id).where(REVOKED.c.id == session_id)).first() is not None


def account_groups(conn: Connection, user_id: int) -> tuple[bool, frozenset[str]] | None:
    """(admin flag, group names) the mirror holds for an account, or None if it has no row."""
    admin = conn.execute(select(User.admin).where(User.id == user_id)).scalar_one_or_none()
    if admin is None:
        return None
    return bool(admin), frozenset(group_names_of(conn, user_id))


# ---------------------------------------------------------------------- relay and digest


def record_suggestion(conn: Connection, row: dict[str, Any]) -> None:
    """Write one relay suggestion (topic_id, user_id, suggested_at, pm_topic_id)."""
    upsert(conn, RelaySuggestion.__table__, [row], ["topic_id", "user_id"])


def suggestions_since(conn: Connection, since: datetime) -> list[dict[str, Any]]:
    """The relay suggestions sent since `since` (naive UTC), newest first: topic_id, title,
    username of the volunteer asked, suggested_at, and whether someone other than the author
    has replied since (`answered`). For the animators' dashboard only (it names volunteers)."""
    rows = conn.execute(
        text(
            "SELECT r.topic_id, t.title, u.username, r.suggested_at, EXISTS (SELECT 1 FROM posts p"
            " WHERE p.topic_id = r.topic_id AND p.post_number > 1 AND p.deleted_at IS NULL"
            " AND p.post_type = 1 AND p.user_id <> t.user_id) AS answered"
            " FROM relay_suggestions r LEFT JOIN topics t ON t.id = r.topic_id"
            " LEFT JOIN users u ON u.id = r.user_id"
            " WHERE r.suggested_at >= :since ORDER BY r.suggested_at DESC, r.topic_id"
        ),
        {"since": since},
    )
    return [
        {
            "topic_id": int(row.topic_id),
            "title": row.title or "",
            "username": row.username or "",
            "suggested_at": row.suggested_at,
            "answered": bool(row.answered),
        }
        for row in rows
    ]


def stored_publication(conn: Connection, scope: str, month: str) -> tuple[int, int] | None:
    """(topic_id, post_id) of the digest already published for `scope` and `month`, if any."""
    row = conn.execute(
        select(DigestPublication.topic_id, DigestPublication.post_id).where(
            DigestPublication.scope == scope, DigestPublication.month == month
        )
    ).first()
    return (int(row[0]), int(row[1])) if row else None


def record_publication(
    conn: Connection, scope: str, month: str, topic_id: int, post_id: int
) -> None:
    """Remember which topic holds the digest of `scope` for `month`."""
    row = {"scope": scope, "month": month, "topic_id": topic_id, "post_id": post_id}
    upsert(conn, DigestPublication.__table__, [row], ["scope", "month"])


# ---------------------------------------------------------------------- web reads


def ping(conn: Connection) -> None:
    """A round trip to the database (raises if it is unreachable)."""
    conn.execute(text("SELECT 1"))


STATE_HEALTH_PROBE = "health.probe"


def write_probe(conn: Connection, at: datetime, wait_seconds: float) -> None:
    """Write and commit a row as any writer would (`/healthz`'s proof that the database takes
    writes), waiting at most `wait_seconds` behind other writers instead of the usual minute.

    `conn` must not be in a transaction: the probe commits its own, then gives the connection
    back its usual wait (SQLite's busy timeout is the connection's, not the transaction's)."""
    milliseconds = max(1, int(wait_seconds * 1000))
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
        set_state(conn, STATE_HEALTH_PROBE, at.isoformat())
        conn.commit()
        return
    # on the driver's connection, outside any transaction: the wait also bounds BEGIN
    raw = conn.connection.driver_connection
    usual = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {milliseconds}")
    try:
        set_state(conn, STATE_HEALTH_PROBE, at.isoformat())
        conn.commit()
    finally:
        conn.rollback()
        raw.execute(f"PRAGMA busy_timeout = {int(usual)}")


def mirror_version(conn: Connection) -> tuple:
    """What changes whenever the mirror's content may have changed (sync or webhook):
    (last finished sync, last webhook time, count of memberships), as text and a count."""
    synced = last_finished_run(conn)
    hooked = conn.execute(
        select(SyncState.value).where(SyncState.key == STATE_LAST_WEBHOOK)
    ).scalar()
    return (str(synced), str(hooked), membership_count(conn))


def account(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """What the mirror holds about one account, or None. Values as the driver returns them
    (SQLite: flags as 0/1, times as text), which « Mes données » shows as they are."""
    row = (
        conn.execute(
            text(
                "SELECT id, username, name, created_at, last_seen_at, trust_level, admin,"
                " moderator, active, suspended, cooperative, role FROM users WHERE id = :id"
            ),
            {"id": user_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None
