"""Login nonces on SQLite and on a real PostgreSQL server: single-use, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app import login_nonces

TEN_MINUTES = timedelta(minutes=10)


def test_a_nonce_is_accepted_once_with_its_next_path(engine):
    nonce = login_nonces.issue(engine, "/moi", TEN_MINUTES)
    assert login_nonces.consume(engine, nonce, TEN_MINUTES) == "/moi"
    assert login_nonces.consume(engine, nonce, TEN_MINUTES) is None


def test_an_unknown_nonce_is_refused(engine):
    assert login_nonces.consume(engine, "never-issued", TEN_MINUTES) is None


def test_an_expired_nonce_is_refused_and_forgotten(engine):
    nonce = login_nonces.issue(engine, "/", TEN_MINUTES)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=11)
    with engine.begin() as connection:
        connection.execute(text("UPDATE login_nonces SET created_at = :old"), {"old": old})
    assert login_nonces.consume(engine, nonce, TEN_MINUTES) is None
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM login_nonces")).scalar() == 0


def test_issuing_purges_expired_nonces(engine):
    login_nonces.issue(engine, "/", TEN_MINUTES)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(text("UPDATE login_nonces SET created_at = :old"), {"old": old})
    fresh = login_nonces.issue(engine, "/", TEN_MINUTES)
    with engine.connect() as connection:
        left = connection.execute(text("SELECT nonce FROM login_nonces")).scalars().all()
    assert left == [fresh]
