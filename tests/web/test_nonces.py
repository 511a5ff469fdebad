"""Login nonces and the health check on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from sync.db import connect
from sync.schema import SyncRun
from web import nonces
from web.health import LAST_WEBHOOK_KEY, health

TEN_MINUTES = timedelta(minutes=10)


@pytest.fixture
def engine(db_url):
    engine = connect(db_url)
    yield engine
    engine.dispose()


def test_a_nonce_is_accepted_once_with_its_next_path(engine):
    nonce = nonces.issue(engine, "/moi", TEN_MINUTES)
    assert nonces.consume(engine, nonce, TEN_MINUTES) == "/moi"
    assert nonces.consume(engine, nonce, TEN_MINUTES) is None


def test_an_unknown_nonce_is_refused(engine):
    assert nonces.consume(engine, "never-issued", TEN_MINUTES) is None


def test_an_expired_nonce_is_refused_and_forgotten(engine):
    nonce = nonces.issue(engine, "/", TEN_MINUTES)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=11)
    with engine.begin() as connection:
        connection.execute(text("UPDATE login_nonces SET created_at = :old"), {"old": old})
    assert nonces.consume(engine, nonce, TEN_MINUTES) is None
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM login_nonces")).scalar() == 0


def test_issuing_purges_expired_nonces(engine):
    nonces.issue(engine, "/", TEN_MINUTES)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(text("UPDATE login_nonces SET created_at = :old"), {"old": old})
    fresh = nonces.issue(engine, "/", TEN_MINUTES)
    with engine.connect() as connection:
        left = connection.execute(text("SELECT nonce FROM login_nonces")).scalars().all()
    assert left == [fresh]


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
            {"k": LAST_WEBHOOK_KEY, "v": "2026-11-27T11:59:00+00:00"},
        )
    result = health(engine, stale_after_hours=3, now=now)
    assert result["status"] == "ok"
    assert result["last_sync_age_seconds"] == 1800
    assert result["last_webhook_age_seconds"] == 60
    assert health(engine, stale_after_hours=0.25, now=now)["status"] == "stale"
