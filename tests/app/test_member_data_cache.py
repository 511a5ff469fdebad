"""« Mes données »'s score cache: recomputed after a sync at once, after webhooks at most
every few minutes (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import insert, text

from analytics.settings import ScoreWeights
from app import member_data
from sync.mirror.schema import SyncRun
from sync.mirror.store import STATE_LAST_WEBHOOK
from tests.support.clock import FIXTURE_NOW


def test_score_cache_recomputes_after_a_sync_not_on_every_webhook(engine, monkeypatch):
    computed = []
    monkeypatch.setattr(
        member_data.score_engine, "score", lambda *a, **k: computed.append(1) or _empty_table()
    )
    cache = member_data.ScoreCache()
    cache.CHECK_SECONDS = 0.0
    cache.row(engine, ScoreWeights(), "campus-optout", 1, lambda: FIXTURE_NOW)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO sync_state (key, value) VALUES (:k, :v)"),
            {"k": STATE_LAST_WEBHOOK, "v": "2026-11-27T11:59:00+00:00"},
        )
    cache.row(engine, ScoreWeights(), "campus-optout", 1, lambda: FIXTURE_NOW)
    assert len(computed) == 1  # a webhook alone waits LIVE_SECONDS
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
    cache.row(engine, ScoreWeights(), "campus-optout", 1, lambda: FIXTURE_NOW)
    assert len(computed) == 2  # a finished sync: at once


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({"user_id": []})
