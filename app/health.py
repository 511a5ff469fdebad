"""What `GET /healthz` reports: the database, and how old the last sync and webhook are."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sync.mirror import store


def _as_utc(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def health(engine: Engine, stale_after_hours: float, now: datetime) -> dict:
    """`{"status", "database", "last_sync", "last_sync_age_seconds", "last_webhook", …}`.

    `status` is `ok`, `stale` (no successful sync within `stale_after_hours`) or `down`
    (database unreachable).
    """
    try:
        with engine.connect() as connection:
            store.ping(connection)
            last_sync = store.last_successful_sync(connection)
            last_webhook = store.last_webhook_at(connection)
    except SQLAlchemyError:
        return {"status": "down", "database": "unreachable"}
    result: dict = {"status": "ok", "database": "ok"}
    for name, value in (("last_sync", last_sync), ("last_webhook", last_webhook)):
        try:
            moment = _as_utc(value)
        except ValueError:
            moment = None
        result[name] = moment.isoformat() if moment else None
        result[f"{name}_age_seconds"] = round((now - moment).total_seconds()) if moment else None
    age = result["last_sync_age_seconds"]
    if age is None or age > stale_after_hours * 3600:
        result["status"] = "stale"
    return result
