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
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def read_last_sync(conn: Connection) -> datetime | None:
    """When the last successful sync finished (tz-aware UTC), or None if none did."""
    finished = conn.execute(
        text("SELECT MAX(finished_at) FROM sync_runs WHERE outcome = 'success'")
    ).scalar()
    if finished is None:
        return None
    return pd.Timestamp(finished).tz_localize("UTC").to_pydatetime()


def load_forum(engine: Engine) -> Forum:
    """Read the whole mirror (without private messages) into a `Forum`."""
    with engine.connect() as conn:

        def read(sql: str) -> pd.DataFrame:
            return pd.read_sql_query(sql, conn)

        users = _utc(read("SELECT * FROM users"), TIMESTAMPS["users"])
        memberships = read(
            'SELECT m.user_id, m.group_id, g.name AS "group" '
            "FROM group_memberships m JOIN groups g ON g.id = m.group_id"
        )
        categories = read(
            "SELECT c.id, c.name, c.slug, c.parent_id, c.accepted_answers, "
            "COALESCE(p.slug, c.slug) AS root_slug "
            "FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"
        )
        topics = _utc(
            read(
                "SELECT id, title, category_id, user_id, created_at, last_posted_at, deleted_at, "
                "closed, accepted_post_id FROM topics WHERE archetype = 'regular'"
            ),
            TIMESTAMPS["topics"],
        )
        posts = _utc(
            read(
                "SELECT p.id, p.topic_id, p.post_number, p.reply_to_post_number, p.user_id, "
                "p.created_at, p.updated_at, p.deleted_at, p.post_type, p.version, p.like_count, "
                "p.flag_count, p.hidden, p.accepted_answer, t.user_id AS topic_user_id "
                "FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.archetype = 'regular'"
            ),
            TIMESTAMPS["posts"],
        )
        likes = _utc(read("SELECT post_id, user_id, created_at FROM likes"), TIMESTAMPS["likes"])
        solutions = _utc(read("SELECT * FROM solutions"), TIMESTAMPS["solutions"])
        polls = _utc(read("SELECT * FROM polls"), TIMESTAMPS["polls"])
        poll_options = read("SELECT * FROM poll_options")
        last_sync = read_last_sync(conn)
        topic_tags = read("SELECT topic_id, tag FROM topic_tags")

    for frame, columns in (
        (users, ["admin", "moderator", "active", "staged", "suspended", "deleted"]),
        (categories, ["accepted_answers"]),
        (topics, ["closed"]),
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
