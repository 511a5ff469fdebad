"""Migration 0009: who answered an open month becomes HMACs under a new key of that month."""

from __future__ import annotations

from sqlalchemy import text

from sync.mirror import barometer_store
from sync.mirror.db import migrate, open_engine
from tests.support.migrations import build_at

USER = 918_273_645


def test_an_open_month_keeps_who_answered_and_a_closed_one_nothing(db_url):
    engine = open_engine(db_url)
    build_at(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO barometer_months (month, opened_on, closed_on, answered, lost) VALUES"
                " ('2026-10', '2026-10-01', '2026-11-01', 0, 0),"
                " ('2026-11', '2026-11-01', NULL, 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO barometer_respondents (month, user_id, cooperative, role) VALUES"
                " ('2026-10', :user, 'coop-a', ''), ('2026-11', :user, 'coop-a', 'appui')"
            ),
            {"user": USER},
        )
    migrate(engine)
    assert barometer_store.has_answered(engine, "2026-11", USER)
    assert not barometer_store.has_answered(engine, "2026-11", USER + 1)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM barometer_respondents")).all()
        keys = conn.execute(text("SELECT month FROM barometer_keys")).scalars().all()
    assert [(month, coop, role) for month, _member, coop, role in rows] == [
        ("2026-11", "coop-a", "appui")
    ]
    assert str(USER) not in repr(rows)
    assert keys == ["2026-11"]
    engine.dispose()
