"""Load the mirror into DataFrames: the one door between the database and the analytics.

Every analytics function takes a `Forum` (or some of its frames) and returns DataFrames; only
`load_forum` touches the database. Private messages are left out here, once for all analytics,
and no post text exists in the mirror (DESIGN §7).
"""

from __future__ import annotations

from dataclasses import dataclass
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


def _utc(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Parse the timestamp columns (ISO 8601 text, or timestamps from PostgreSQL) as UTC."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


class _Reader:
    """Runs the loader's queries: SQLite through ADBC (columnar, straight into Arrow: the mirror's
    million posts load in a few seconds instead of a dozen), anything else through SQLAlchemy."""

    # one Arrow batch per query, so ADBC infers each column's type from all of its rows
    BATCH_ROWS = str(2**30)

    def __init__(self, engine: Engine, conn: Connection) -> None:
        self.conn = conn
        self.adbc = None
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            import adbc_driver_sqlite.dbapi as adbc_sqlite

            self.adbc = adbc_sqlite.connect(database)

    def __call__(self, sql: str, timestamps: tuple[str, ...] = ()) -> pd.DataFrame:
        """The rows of `sql`; `timestamps`: columns to parse as UTC datetimes."""
        if self.adbc is None:
            return _utc(pd.read_sql_query(text(sql), self.conn), list(timestamps))
        import pyarrow as pa
        import pyarrow.compute as pc

        with self.adbc.cursor() as cursor:
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": self.BATCH_ROWS})
            cursor.execute(sql)
            table = cursor.fetch_arrow_table()
        if table.num_rows == 0:  # no value to infer types from: let pandas type it as before
            return _utc(pd.read_sql_query(text(sql), self.conn), list(timestamps))
        slow = []
        for name in timestamps:  # SQLite keeps naive UTC text: parse it in Arrow, in C
            index = table.schema.get_field_index(name)
            column = table.column(index)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                column = pc.if_else(pc.equal(column, ""), None, column)
                try:
                    column = column.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
                except pa.ArrowInvalid:  # text with a zone offset: pandas reads every form
                    slow.append(name)
                    continue
            else:  # no value at all: Arrow typed it as integers of NULLs
                column = pa.nulls(len(column), pa.timestamp("us", tz="UTC"))
            table = table.set_column(index, name, column)
        return _utc(table.to_pandas(), slow)

    def close(self) -> None:
        if self.adbc is not None:
            self.adbc.close()


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

    def stamps(table: str, columns: str) -> tuple[str, ...]:
        return tuple(name for name in TIMESTAMPS[table] if name in columns)

    with engine.connect() as conn:
        read = _Reader(engine, conn)
        try:
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
        finally:
            read.close()
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
        last_sync,
        topic_tags,
    )
