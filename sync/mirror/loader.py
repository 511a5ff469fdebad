"""Load the mirror into DataFrames: the one door between the database and the analytics.

Every analytics function takes a `core.forum.Forum` (or some of its frames) and returns
DataFrames; only `load_forum` touches the database. Private messages are left out here, once
for all analytics, and no post text exists in the mirror (DESIGN §7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from core.forum import Forum
from sync.mirror import db, store

TIMESTAMPS = {
    "users": ["created_at", "last_seen_at"],
    "topics": ["created_at", "last_posted_at", "deleted_at"],
    "posts": ["created_at", "updated_at", "deleted_at"],
    "likes": ["created_at"],
    "solutions": ["accepted_at"],
    "polls": ["close_at"],
    "relay_suggestions": ["suggested_at"],
}


def _utc(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Parse the timestamp columns (ISO 8601 text, or timestamps from PostgreSQL) as UTC."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


class _Reader:
    """The loader's queries, run on the database driver's own connection under `conn` (no
    SQLAlchemy row objects: a large mirror loads markedly faster).

    `rows` reads any columns. `numbers` reads columns that hold only integers, booleans and
    timestamps, as the big tables (posts, likes) do: on SQLite each column comes back as one
    comma-separated text built inside SQLite and parsed by numpy, which spares a Python object
    per value (on a 1M-post mirror, about 1.2 s instead of 3.2 s). Timestamps then have
    SQLite's own resolution, the millisecond. PostgreSQL's driver returns typed rows: it goes
    through `rows`.

    (A columnar reader such as ADBC would be as fast, but it links a second copy of SQLite into
    the process, and two copies holding one WAL database break each other's locks: SQLite's
    documentation warns against it, and it shows as "disk I/O error".)"""

    def __init__(self, conn: Connection) -> None:
        self.driver = conn.connection.driver_connection
        self.sqlite = conn.dialect.name == "sqlite"

    def rows(self, sql: str, timestamps: tuple[str, ...] = ()) -> pd.DataFrame:
        """The rows of `sql`, the `timestamps` columns parsed as UTC datetimes."""
        cursor = self.driver.cursor()
        try:
            cursor.execute(sql)
            columns = [column[0] for column in cursor.description]
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=True)
        finally:
            cursor.close()
        return _utc(frame, list(timestamps))

    def numbers(
        self, columns: dict[str, str], source: str, timestamps: tuple[str, ...] = ()
    ) -> pd.DataFrame:
        """`SELECT <columns> <source>` (`columns`: name → SQL expression), each holding integers,
        booleans or (named in `timestamps`) timestamps. A column with a NULL becomes float64
        (NaN), a timestamp column UTC datetimes (NaT)."""
        if not self.sqlite:
            sql = ", ".join(f'{expression} AS "{name}"' for name, expression in columns.items())
            return _nullable(self.rows(f"SELECT {sql} {source}", timestamps), timestamps)
        aggregates = ", ".join(
            f"group_concat(IFNULL({_sqlite_milliseconds(sql) if name in timestamps else sql}, "
            f"{NULL_INTEGER}))"
            for name, sql in columns.items()
        )
        cursor = self.driver.cursor()
        try:
            count, *texts = cursor.execute(f"SELECT COUNT(*), {aggregates} {source}").fetchone()
        finally:
            cursor.close()
        frame = pd.DataFrame(
            {name: _integers(text, count, name) for name, text in zip(columns, texts, strict=True)}
        )
        for name in timestamps:
            frame[name] = pd.Series(frame[name].to_numpy().view("datetime64[ms]")).dt.tz_localize(
                "UTC"
            )
        return _nullable(frame, timestamps)


NULL_INTEGER = np.iinfo(np.int64).min
"""How `_Reader.numbers` carries a NULL through SQLite's text: NaT's own integer value."""


def _sqlite_milliseconds(expression: str) -> str:
    """SQL for a timestamp as integer milliseconds since 1970 (UTC), SQLite's own resolution."""
    return f"CAST(ROUND((julianday({expression}) - 2440587.5) * 86400000) AS INTEGER)"


def _integers(text: str | None, count: int, name: str) -> np.ndarray:
    """The comma-separated integers SQLite built for column `name`, checked to be `count`."""
    values = np.array([], dtype="int64") if text is None else np.fromstring(text, "int64", sep=",")
    if len(values) != count:
        raise ValueError(f"column {name}: read {len(values)} values of {count}")
    return values


def _nullable(frame: pd.DataFrame, timestamps: tuple[str, ...]) -> pd.DataFrame:
    """Integer columns with a NULL (the SQLite sentinel or None) as float64 with NaN, the others
    as int64: the same frame whichever database was read."""
    for name in frame.columns.difference(list(timestamps)):
        column = frame[name]
        if column.dtype == "int64" and (column == NULL_INTEGER).any():
            frame[name] = column.where(column != NULL_INTEGER).astype("float64")
        elif column.dtype == object:
            frame[name] = pd.to_numeric(column).astype(
                "float64" if column.isna().any() else "int64"
            )
    return frame


POST_COLUMNS = (
    "id, topic_id, post_number, reply_to_post_number, user_id, created_at, updated_at, "
    "deleted_at, post_type, version, like_count, flag_count, hidden, accepted_answer"
)
SCORE_ONLY = {
    "topics": "id, title, category_id, user_id, created_at, deleted_at, accepted_post_id",
    "posts": "id, topic_id, post_number, reply_to_post_number, user_id, created_at, deleted_at, "
    "post_type, like_count, hidden, accepted_answer",
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
    post_columns = {
        name: f"p.{name}"
        for name in (SCORE_ONLY["posts"] if score_only else POST_COLUMNS).split(", ")
    } | {"topic_user_id": "t.user_id"}
    like_columns = SCORE_ONLY["likes"] if score_only else "post_id, user_id, created_at"
    no_polls = "SELECT * FROM {table} WHERE 1 = 0" if score_only else "SELECT * FROM {table}"
    no_rows = "{sql} WHERE 1 = 0" if score_only else "{sql}"  # tables the score never reads

    def stamps(table: str, columns: str) -> tuple[str, ...]:
        return tuple(name for name in TIMESTAMPS[table] if name in columns)

    with db.reader(engine).connect() as conn:
        reader = _Reader(conn)
        read = reader.rows
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
        posts = reader.numbers(
            post_columns,
            "FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.archetype = 'regular'",
            stamps("posts", ", ".join(post_columns)),
        )
        likes = reader.numbers(
            {name: name for name in like_columns.split(", ")},
            "FROM likes",
            stamps("likes", like_columns),
        )
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
        last_sync = store.last_successful_sync(conn)

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
