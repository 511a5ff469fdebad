"""`campus stats` counts exactly what DESIGN §3 defines, on both backends."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from sync.mirror.db import connect
from sync.mirror.schema import Category, Group, Post, SyncRun, Topic, User
from sync.mirror.stats import format_stats, mirror_stats
from tests.conftest import run_campus

T0 = datetime(2026, 3, 1, 12, 0)


def _post(id, topic_id, number, *, deleted=False, likes=0, **extra):
    return Post(
        id=id,
        topic_id=topic_id,
        post_number=number,
        user_id=1,
        created_at=T0,
        deleted_at=T0 if deleted else None,
        like_count=likes,
        **extra,
    )


@pytest.fixture
def engine(db_url):
    engine = connect(db_url)
    with Session(engine) as session:
        session.add_all(
            [
                User(id=-1, username="system"),
                User(id=1, username="lea"),
                User(id=2, username="staged", staged=True),
                User(id=3, username="gone", deleted=True),
                User(id=4, username="paul", suspended=True),
                Topic(id=10, title="ok", created_at=T0, accepted_post_id=102),
                Topic(id=11, title="pm", created_at=T0, archetype="private_message"),
                Topic(id=12, title="deleted", created_at=T0, deleted_at=T0, accepted_post_id=121),
                _post(101, 10, 1, likes=2),
                _post(102, 10, 2, likes=3, accepted_answer=True),
                _post(103, 10, 3, deleted=True, likes=7),
                _post(104, 10, 4, post_type=3),
                _post(111, 11, 1, likes=1),
                _post(121, 12, 1, likes=5),
                _post(122, 12, 2, deleted=True),
                Category(id=1, name="Campus", slug="campus"),
                Group(id=1, name="admins", automatic=True),
                Group(id=41, name="coop-alpha"),
                SyncRun(started_at=T0, finished_at=datetime(2026, 3, 1, 12, 5), outcome="success"),
                SyncRun(started_at=T0, finished_at=datetime(2026, 3, 2), outcome="failed"),
            ]
        )
        session.commit()
    yield engine
    engine.dispose()


def test_counts_follow_the_design_definitions(engine):
    stats = mirror_stats(engine)

    assert stats == {
        "users": 2,  # lea and paul: not system, staged or deleted
        "topics": 1,  # no private message, no deleted topic
        "posts": 3,  # live posts of topic 10, small action included
        "deleted_posts": 1,  # in counted topics only
        "likes": 5,  # 2 + 3: the deleted post's likes are not counted
        "solutions": 1,
        "categories": 1,
        "groups": 1,
        "last_sync": "2026-03-01T12:05:00+00:00",
        "last_webhook": None,
    }


def test_an_empty_mirror_was_never_synced(db_url):
    engine = connect(db_url)
    try:
        assert mirror_stats(engine)["last_sync"] is None
    finally:
        engine.dispose()


def test_format_stats_in_french_then_english():
    stats = {"users": 2, "last_sync": None}

    assert format_stats(stats, "Europe/Paris", "fr").splitlines() == [
        "Membres                   2",
        "Dernière synchronisation  jamais",
    ]
    assert format_stats(stats, "Europe/Paris", "en").splitlines()[1] == "Last sync  never"


def test_format_stats_shows_the_last_sync_as_a_local_date_and_counts_in_the_language():
    stats = {"users": 7999, "last_sync": "2026-11-26T14:29:24.765173+00:00"}

    assert format_stats(stats, "Europe/Paris", "fr").splitlines() == [
        "Membres                   7\u202f999",
        "Dernière synchronisation  26 nov. 2026, 15:29:24",
    ]
    assert format_stats(stats, "America/New_York", "en").splitlines() == [
        "Members    7,999",
        "Last sync  Nov 26, 2026, 9:29:24\u202fAM",
    ]


def test_campus_stats_json_prints_one_object(tmp_path, monkeypatch):
    (tmp_path / "campus.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'campus.db'}")

    result = run_campus("--config", str(tmp_path / "campus.toml"), "stats", "--json")

    assert result.exit_code == 0
    assert result.stdout.strip().startswith('{"users": 0, "topics": 0')
