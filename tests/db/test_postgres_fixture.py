"""The database fixture gives both backends, migrated by `sync.db.connect`."""

from __future__ import annotations

from sqlalchemy import inspect

from sync.db import connect


def test_connect_migrates_every_backend(db_url):
    engine = connect(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        columns = {column["name"] for column in inspect(engine).get_columns("topics")}
    finally:
        engine.dispose()
    assert {"users", "posts", "topics", "sync_state", "alembic_version"} <= tables
    assert {"needs_check", "like_count", "has_accepted_answer", "pinned"} <= columns
