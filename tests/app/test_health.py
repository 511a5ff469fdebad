"""`/healthz`'s figures on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, text

from app.health import health
from sync.mirror.schema import SyncRun
from sync.mirror.store import STATE_LAST_WEBHOOK


def test_health_reads_the_last_sync_and_the_last_webhook(engine):
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(SyncRun.__table__).values(
                started_at=datetime(2026, 11, 27, 11, 0),
                finished_at=datetime(2026, 11, 27, 11, 30),
                full=False,
                requests=5,
                outcome="success",
            )
        )
        connection.execute(
            text("INSERT INTO sync_state (key, value) VALUES (:k, :v)"),
            {"k": STATE_LAST_WEBHOOK, "v": "2026-11-27T11:59:00+00:00"},
        )
    result = health(engine, stale_after_hours=3, now=now)
    assert result["status"] == "ok"
    assert result["last_sync_age_seconds"] == 1800
    assert result["last_webhook_age_seconds"] == 60
    assert health(engine, stale_after_hours=0.25, now=now)["status"] == "stale"
