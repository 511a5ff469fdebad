"""The store's foundations: the portable upsert, the sync-state keys and the sync runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sync.mirror.schema import SyncRun, SyncState

CHUNK = 500  # ids per IN (…) list, well under SQLite's bound-parameter limit
STATE_LAST_WEBHOOK = "last_webhook_at"  # written by `sync.mirror.live` with each applied event


@dataclass
class Tally:
    """What the writers changed, counted as `campus sync --json` reports it.

    users: accounts added or changed; posts: new / updated / deleted; likes: total change of
    like counts over the posts written; solved_topics: topics whose accepted answer was set,
    changed or cleared. The live mirror passes a tally it does not read.
    """

    users: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    posts_deleted: int = 0
    likes: int = 0
    solved_topics: set[int] = field(default_factory=set)


def upsert(
    conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]], keys: list[str]
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE for SQLite and PostgreSQL alike.

    Rows may carry different column sets (a listing row may lack the author): each set is
    written with its own statement, and a column a row does not carry is left as it is.
    """
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for columns, group in groups.items():
        statement = insert(table)
        updates = {name: statement.excluded[name] for name in columns if name not in keys}
        if updates:
            statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        conn.execute(statement, group)


# ---------------------------------------------------------------------- sync state


def get_state(conn: Connection, key: str) -> str | None:
    """The sync-state value under `key` (a cursor, a flag, a time), or None."""
    return conn.execute(select(SyncState.value).where(SyncState.key == key)).scalar_one_or_none()


def set_state(conn: Connection, key: str, value: str) -> None:
    """Write a sync-state value, in the caller's transaction (with the page it covers)."""
    upsert(conn, SyncState.__table__, [{"key": key, "value": value}], ["key"])


def clear_state(conn: Connection, key: str) -> None:
    """Forget a sync-state value (a finished walk)."""
    conn.execute(delete(SyncState).where(SyncState.key == key))


def last_webhook_at(conn: Connection) -> str | None:
    """When the live mirror last applied a webhook event (ISO 8601 text as stored), or None."""
    return get_state(conn, STATE_LAST_WEBHOOK)


# ---------------------------------------------------------------------- sync runs


def start_run(conn: Connection, started_at: datetime, full: bool) -> int:
    """Record a sync that starts now (outcome "running"); its id.

    The caller holds the sync's lock, so a run still "running" was killed mid-way: it is
    marked "interrupted"."""
    conn.execute(update(SyncRun).where(SyncRun.outcome == "running").values(outcome="interrupted"))
    return conn.execute(
        SyncRun.__table__.insert().values(started_at=started_at, full=full, outcome="running")
    ).inserted_primary_key[0]


def finish_run(
    conn: Connection, run_id: int, finished_at: datetime, requests: int, outcome: str
) -> None:
    """Record how a sync ended ("success" or "failed") and how many requests it sent."""
    conn.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(finished_at=finished_at, requests=requests, outcome=outcome)
    )


def last_successful_sync(conn: Connection) -> datetime | None:
    """When the last successful sync finished (tz-aware UTC), or None if none did.

    The one definition of "last sync" that stats, health checks and analytics show."""
    finished = conn.execute(
        select(func.max(SyncRun.finished_at)).where(SyncRun.outcome == "success")
    ).scalar()
    if finished is None:
        return None
    if isinstance(finished, str):  # an aggregate SQLite did not type
        finished = datetime.fromisoformat(finished)
    return finished.replace(tzinfo=UTC) if finished.tzinfo is None else finished.astimezone(UTC)


def last_sync_outcome(conn: Connection) -> str | None:
    """How the latest sync run ended ("success", "failed", "interrupted", or "running" while it
    runs or after it was killed), or None before the first sync: a mirror is whole only when
    it is "success"."""
    return conn.execute(
        select(SyncRun.outcome).order_by(SyncRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def last_finished_run(conn: Connection) -> datetime | None:
    """When the last sync finished, whatever its outcome (naive UTC), or None."""
    return conn.execute(select(func.max(SyncRun.finished_at))).scalar()


def recent_runs(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The last `limit` sync runs, newest first: id, started_at, finished_at (naive UTC, as
    stored), full, requests, outcome ("running", "success" or "failed")."""
    table = SyncRun.__table__
    rows = conn.execute(select(table).order_by(table.c.started_at.desc()).limit(limit))
    return [
        {
            "id": run.id,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "full": bool(run.full),
            "requests": run.requests,
            "outcome": run.outcome,
        }
        for run in rows
    ]
