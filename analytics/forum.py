"""Load the mirror into DataFrames: the one door between the database and the analytics.

Every analytics function takes a `Forum` (or some of its frames) and returns DataFrames; only
`load_forum` touches the database. Private messages are left out here, once for all analytics,
and no post text exists in the mirror (DESIGN §7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, text

TIMESTAMPS = {
    "users": ["created_at", "last_seen_at"],
    "topics": ["created_at", "last_posted_at", "deleted_at"],
    "posts": ["created_at", "updated_at", "deleted_at"],
    "likes": ["created_at"],
    "solutions": ["accepted_at"],
    "polls": ["close_at"],
    "relay_suggestions": ["suggested_at"],
}


@dataclass
class Forum:
    """The mirror as DataFrames. Timestamps are tz-aware UTC.

    - users: id, username, name, created_at, last_seen_at, admin, moderator, active, staged,
      suspended, deleted, cooperative, role
    - memberships: user_id, group_id, group
    - categories: id, name, slug, parent_id, accepted_answers, root_slug (slug of the top-level
      category: a cooperative's slug for its subcategories, or a network category's)
    - topics: id, title, category_id, user_id, created_at, last_posted_at, deleted_at, closed,
      accepted_post_id, root_slug, accepted_answers (questions live where answers can be accepted)
    - posts: id, topic_id, post_number, reply_to_post_number, user_id, created_at, updated_at,
      deleted_at, post_type, version, like_count, flag_count, hidden, accepted_answer,
      topic_user_id, category_id, root_slug, accepted_answers, topic_deleted
    - likes: post_id, user_id, created_at
    - solutions: topic_id, post_id, user_id, accepted_at
    - polls: id, post_id, topic_id, name, status, close_at, voters, pulse_month, cooperative
    - poll_options: poll_id, option_id, position, label, votes
    - last_sync: when the last successful `campus sync` finished (None: never)
    - topic_tags: topic_id, tag (the name of one of the topic's Discourse tags)
    - relay_suggestions: topic_id, user_id, suggested_at (questions relayed to volunteers)
    - barometer_cells: month, cooperative, role, respondents (the anonymous barometer's counted
      answers per group; see `analytics.barometer`)
    - barometer_counts: month, cooperative, role, axis, value, count
    """

    users: pd.DataFrame
    memberships: pd.DataFrame
    categories: pd.DataFrame
    topics: pd.DataFrame
    posts: pd.DataFrame
    likes: pd.DataFrame
    solutions: pd.DataFrame
    polls: pd.DataFrame
    poll_options: pd.DataFrame
    last_sync: datetime | None = None  # end of the last successful sync (tz-aware UTC)
    topic_tags: pd.DataFrame | None = None  # topic_id, tag (None: not loaded)
    relay_suggestions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "topic_id": pd.Series(dtype="int64"),
                "user_id": pd.Series(dtype="int64"),
                "suggested_at": pd.Series(dtype="datetime64[ns, UTC]"),
            }
        )
    )
    barometer_cells: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["month", "cooperative", "role", "respondents"]
        )
    )
    barometer_counts: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["month", "cooperative", "role", "axis", "value", "count"]
        )
    )


def _utc(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Parse the timestamp columns (ISO 8601 text, or timestamps from PostgreSQL) as UTC."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def _reader(conn: Connection) -> Callable[..., pd.DataFrame]:
    """A function running the loader's queries on the database driver's own connection under
    `conn` (no SQLAlchemy row objects: a large mirror loads markedly faster), `timestamps` naming
    the columns to parse as UTC datetimes.

    (A columnar reader such as ADBC would be faster still on SQLite, but it links a second copy
    of SQLite into the process, and two copies holding one WAL database break each other's
    locks: SQLite's documentation warns against it, and it shows as "disk I/O error".)"""
    driver = conn.connection.driver_connection

    def read(sql: str, timestamps: tuple[str, ...] = ()) -> pd.DataFrame:
        cursor = driver.cursor()
        try:
            cursor.execute(sql)
            columns = [column[0] for column in cursor.description]
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=True)
        finally:
            cursor.close()
        return _utc(frame, list(timestamps))

    return read


def read_last_sync(conn: Connection) -> datetime | None:
    """When the last successful sync finished (tz-aware UTC), or None if none did."""
    finished = conn.execute(
        text("SELECT MAX(finished_at) FROM sync_runs WHERE outcome = 'success'")
    ).scalar()
    if finished is None:
        return None
    return pd.Timestamp(finished).tz_localize("UTC").to_pydatetime()


SCORE_ONLY = {
    "topics": "id, title, category_id, user_id, created_at, deleted_at, accepted_post_id",
    "posts": "p.id, p.topic_id, p.post_number, p.reply_to_post_number, p.user_id, p.created_at, "
    "p.deleted_at, p.post_type, p.like_count, p.hidden, p.accepted_answer",
    "likes": "post_id, user_id",
}
"""The columns `campus score` needs, when `load_forum(..., score_only=True)` reads no more."""


def load_forum(engine: Engine, *, score_only: bool = False) -> Forum:
    """Read the whole mirror (without private messages) into a `Forum`.

    `score_only`: read only what the contributor score uses (`SCORE_ONLY`; no poll), which
    halves the reading of a large mirror; the columns left out are absent from the frames."""
    topic_columns = (
        SCORE_ONLY["topics"]
        if score_only
        else "id, title, category_id, user_id, created_at, last_posted_at, deleted_at, closed, "
        "accepted_post_id"
    )
    post_columns = (
        SCORE_ONLY["posts"]
        if score_only
        else "p.id, p.topic_id, p.post_number, p.reply_to_post_number, p.user_id, p.created_at, "
        "p.updated_at, p.deleted_at, p.post_type, p.version, p.like_count, p.flag_count, "
        "p.hidden, p.accepted_answer"
    )
    like_columns = SCORE_ONLY["likes"] if score_only else "post_id, user_id, created_at"
    no_polls = "SELECT * FROM {table} WHERE 1 = 0" if score_only else "SELECT * FROM {table}"
    no_rows = "{sql} WHERE 1 = 0" if score_only else "{sql}"  # tables the score never reads

    def stamps(table: str, columns: str) -> tuple[str, ...]:
        return tuple(name for name in TIMESTAMPS[table] if name in columns)

    with engine.connect() as conn:
        read = _reader(conn)
        users = read("SELECT * FROM users", TIMESTAMPS["users"])
        memberships = read(
            'SELECT m.user_id, m.group_id, g.name AS "group" '
            "FROM group_memberships m JOIN groups g ON g.id = m.group_id"
        )
        categories = read(
            "SELECT c.id, c.name, c.slug, c.parent_id, c.accepted_answers, "
            "COALESCE(p.slug, c.slug) AS root_slug "
            "FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"
        )
        topics = read(
            f"SELECT {topic_columns} FROM topics WHERE archetype = 'regular'",
            stamps("topics", topic_columns),
        )
        posts = read(
            f"SELECT {post_columns}, t.user_id AS topic_user_id "
            "FROM posts p JOIN topics t ON t.id = p.topic_id "
            "WHERE t.archetype = 'regular'",
            stamps("posts", post_columns),
        )
        likes = read(f"SELECT {like_columns} FROM likes", stamps("likes", like_columns))
        solutions = read("SELECT * FROM solutions", TIMESTAMPS["solutions"])
        polls = read(no_polls.format(table="polls"), TIMESTAMPS["polls"])
        poll_options = read(no_polls.format(table="poll_options"))
        topic_tags = read("SELECT topic_id, tag FROM topic_tags")
        relay_suggestions = read(
            no_rows.format(sql="SELECT topic_id, user_id, suggested_at FROM relay_suggestions"),
            TIMESTAMPS["relay_suggestions"],
        )
        barometer_cells = read(
            no_rows.format(sql="SELECT month, cooperative, role, respondents FROM barometer_cells")
        )
        barometer_counts = read(
            no_rows.format(
                sql="SELECT month, cooperative, role, axis, value, count FROM barometer_counts"
            )
        )
        last_sync = read_last_sync(conn)

    for frame, columns in (
        (users, ["admin", "moderator", "active", "staged", "suspended", "deleted"]),
        (categories, ["accepted_answers"]),
        (topics, [] if score_only else ["closed"]),
        (posts, ["hidden", "accepted_answer"]),
    ):
        frame[columns] = frame[columns].astype(bool)

    category_info = categories.set_index("id")[["root_slug", "accepted_answers"]]
    topics = topics.join(category_info, on="category_id")
    topics["accepted_answers"] = topics["accepted_answers"].fillna(False).astype(bool)
    topic_info = topics.set_index("id")[
        ["category_id", "root_slug", "accepted_answers", "deleted_at"]
    ]
    posts = posts.join(topic_info.rename(columns={"deleted_at": "topic_deleted_at"}), on="topic_id")
    posts["topic_deleted"] = posts.pop("topic_deleted_at").notna()
    return Forum(
        users,
        memberships,
        categories,
        topics,
        posts,
        likes,
        solutions,
        polls,
        poll_options,
        last_sync=last_sync,
        topic_tags=topic_tags,
        relay_suggestions=relay_suggestions,
        barometer_cells=barometer_cells,
        barometer_counts=barometer_counts,
    )
