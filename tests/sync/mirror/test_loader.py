"""`load_forum` reads the mirror into the same frames on SQLite and PostgreSQL: values, NULLs,
timestamps and dtypes, whichever way each database is read."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from sync.mirror.schema import Category, Like, Post, Topic, User

T0 = datetime(2026, 3, 1, 12, 0, 0, 250000)  # milliseconds kept
T1 = datetime(2026, 3, 2, 8, 30)


@pytest.fixture
def engine(db_url):
    engine = connect(db_url)
    with Session(engine) as session:
        session.add_all(
            [
                User(id=1, username="lea"),
                User(id=2, username="paul"),
                Category(id=5, name="Entraide", slug="entraide", accepted_answers=True),
                Topic(id=10, title="TVA", category_id=5, user_id=1, created_at=T0),
                Topic(id=11, title="MP", user_id=1, created_at=T0, archetype="private_message"),
                Post(id=100, topic_id=10, post_number=1, user_id=1, created_at=T0),
                Post(
                    id=101,
                    topic_id=10,
                    post_number=2,
                    reply_to_post_number=1,
                    user_id=2,
                    created_at=T1,
                    deleted_at=T1,
                    like_count=3,
                    hidden=True,
                    accepted_answer=True,
                ),
                Post(id=102, topic_id=10, post_number=3, user_id=None, created_at=T1),
                Post(id=110, topic_id=11, post_number=1, user_id=1, created_at=T0),
                Like(post_id=101, user_id=1, created_at=T1),
                Like(post_id=100, user_id=2, created_at=None),
            ]
        )
        session.commit()
    yield engine
    engine.dispose()


def test_posts_keep_their_values_nulls_and_timestamps(engine):
    posts = load_forum(engine).posts.set_index("id")

    assert list(posts.index) == [100, 101, 102]  # the private message is left out
    reply = posts.loc[101]
    assert reply["reply_to_post_number"] == 1
    assert reply["created_at"] == pd.Timestamp("2026-03-02 08:30", tz="UTC")
    assert reply["deleted_at"] == pd.Timestamp("2026-03-02 08:30", tz="UTC")
    assert (reply["like_count"], reply["hidden"], reply["accepted_answer"]) == (3, True, True)
    assert reply["topic_user_id"] == 1
    first = posts.loc[100]
    assert first["created_at"] == pd.Timestamp("2026-03-01 12:00:00.250", tz="UTC")
    assert pd.isna(first["reply_to_post_number"]) and pd.isna(first["deleted_at"])
    assert pd.isna(posts.loc[102, "user_id"])  # an author Discourse no longer names


def test_nullable_columns_are_floats_and_the_others_integers(engine):
    posts = load_forum(engine).posts

    assert posts["reply_to_post_number"].dtype == "float64"
    assert posts["user_id"].dtype == "float64"
    assert posts["post_number"].dtype == "int64"
    assert str(posts["created_at"].dt.tz) == "UTC"
    assert posts["hidden"].dtype == bool


def test_likes_keep_an_unknown_time_as_missing(engine):
    likes = load_forum(engine).likes.sort_values("post_id")

    assert likes["user_id"].tolist() == [2, 1]
    assert pd.isna(likes["created_at"].iloc[0])
    assert likes["created_at"].iloc[1] == pd.Timestamp("2026-03-02 08:30", tz="UTC")


def test_the_score_reads_only_its_columns(engine):
    forum = load_forum(engine, score_only=True)

    assert "updated_at" not in forum.posts and "created_at" not in forum.likes
    assert forum.posts.set_index("id").loc[101, "topic_user_id"] == 1


def test_an_empty_mirror_gives_empty_typed_frames(db_url):
    engine = connect(db_url)
    try:
        forum = load_forum(engine)
    finally:
        engine.dispose()

    assert forum.posts.empty and forum.likes.empty
    assert str(forum.posts["created_at"].dt.tz) == "UTC"
