"""The mirror side of `campus relay`: what the mirror says about questions and volunteers, and
recording each suggestion sent (so an interrupted run never suggests a question twice).

The volunteers themselves are read live from the forum (`sync.forum.volunteers.read_volunteers`);
the selection is pure (`analytics.relay_plan`); `reports.relay_messages` composes the three steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from sync.mirror import db, store


@dataclass
class RelayInputs:
    """Everything the selection needs, as DataFrames (timestamps tz-aware UTC).

    - questions: topic_id, user_id, category_id, created_at, title, replied, closed, solved
    - volunteers: user_id, username, groups (frozenset), staff, trust_level, eligible
    - helpful_replies: user_id, topic_id (accepted or liked replies in someone else's topic)
    - reply_topics: id, category_id (the topics of those replies)
    - tags: topic_id, tag; categories: id, slug; permissions: category_id, group_name
    - past: topic_id, user_id, suggested_at; last_helped: user_id → latest reply to someone else
    """

    questions: pd.DataFrame
    volunteers: pd.DataFrame
    helpful_replies: pd.DataFrame
    reply_topics: pd.DataFrame
    tags: pd.DataFrame
    categories: pd.DataFrame
    permissions: pd.DataFrame
    past: pd.DataFrame
    last_helped: pd.Series


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def load_relay_inputs(
    engine: Engine,
    members: list[dict],
    *,
    optout_group: str,
    now: datetime,
    max_age_days: int,
) -> RelayInputs:
    """Read from the mirror what `analytics.relay_plan.plan_relay` needs for these relay members.

    Questions from the last `max_age_days`, and older ones nobody has replied to (the plan
    counts them as too old)."""
    since = (now - timedelta(days=max_age_days)).astimezone(UTC).replace(tzinfo=None)
    member_ids = [int(member["id"]) for member in members]
    usernames = {int(member["id"]): member["username"] for member in members}
    with db.reader(engine).connect() as conn:

        def read(sql: str, **params) -> pd.DataFrame:
            statement = text(sql)
            if "ids" in params:
                statement = statement.bindparams(bindparam("ids", expanding=True))
            return pd.read_sql_query(statement, conn, params=params)

        replied = (
            "EXISTS (SELECT 1 FROM posts p "
            "WHERE p.topic_id = t.id AND p.post_number > 1 AND p.deleted_at IS NULL "
            "AND p.post_type = 1 AND p.user_id <> t.user_id)"
        )
        # older questions still waiting are read too, so the plan counts them as too old
        questions = read(
            "SELECT t.id AS topic_id, t.user_id, t.category_id, t.created_at, t.title, t.closed, "
            f"t.accepted_post_id IS NOT NULL AS solved, {replied} AS replied "
            "FROM topics t JOIN categories c ON c.id = t.category_id "
            "WHERE c.accepted_answers AND t.archetype = 'regular' AND t.deleted_at IS NULL "
            f"AND t.visible AND t.user_id > 0 AND (t.created_at >= :since OR NOT {replied})",
            since=since,
        )
        ids = member_ids or [-1]
        users = read(
            "SELECT id AS user_id, admin, moderator, trust_level, suspended, deleted "
            "FROM users WHERE id IN :ids",
            ids=ids,
        )
        groups = read(
            "SELECT m.user_id, g.name FROM group_memberships m JOIN groups g ON g.id = m.group_id "
            "WHERE m.user_id IN :ids",
            ids=ids,
        )
        replies = read(
            "SELECT p.user_id, p.topic_id, p.created_at, "
            "(p.accepted_answer OR p.like_count > 0 OR s.post_id IS NOT NULL) AS helpful "
            "FROM posts p JOIN topics t ON t.id = p.topic_id "
            "LEFT JOIN solutions s ON s.post_id = p.id "
            "WHERE p.user_id IN :ids AND p.post_number > 1 AND p.deleted_at IS NULL "
            "AND p.post_type = 1 AND t.archetype = 'regular' AND t.deleted_at IS NULL "
            "AND p.user_id <> t.user_id",
            ids=ids,
        )
        reply_topics = read(
            "SELECT DISTINCT t.id, t.category_id FROM topics t JOIN posts p ON p.topic_id = t.id "
            "WHERE p.user_id IN :ids AND p.post_number > 1",
            ids=ids,
        )
        tags = read("SELECT topic_id, tag FROM topic_tags")
        categories = read("SELECT id, slug FROM categories")
        permissions = read("SELECT category_id, group_name FROM category_permissions")
        past = read("SELECT topic_id, user_id, suggested_at FROM relay_suggestions")

    for column in ("closed", "solved", "replied"):
        questions[column] = questions[column].astype(bool)
    _utc(questions, "created_at")
    _utc(replies, "created_at")
    _utc(past, "suggested_at")
    replies["helpful"] = replies["helpful"].astype(bool)

    group_sets = groups.groupby("user_id")["name"].agg(frozenset).to_dict()
    users = users.set_index("user_id")
    rows = []
    for user_id in member_ids:
        known = user_id in users.index
        names = group_sets.get(user_id, frozenset())
        row = users.loc[user_id] if known else None
        rows.append(
            {
                "user_id": user_id,
                "username": usernames[user_id],
                "groups": names,
                "staff": bool(known and (row["admin"] or row["moderator"])),
                "trust_level": int(row["trust_level"]) if known else 0,
                "eligible": bool(
                    known
                    and not row["suspended"]
                    and not row["deleted"]
                    and optout_group not in names
                ),
            }
        )
    volunteers = pd.DataFrame(
        rows, columns=["user_id", "username", "groups", "staff", "trust_level", "eligible"]
    )
    return RelayInputs(
        questions=questions,
        volunteers=volunteers,
        helpful_replies=replies.loc[replies["helpful"], ["user_id", "topic_id"]],
        reply_topics=reply_topics,
        tags=tags,
        categories=categories,
        permissions=permissions,
        past=past,
        last_helped=replies.groupby("user_id")["created_at"].max(),
    )


def record_suggestion(
    engine: Engine, topic_id: int, user_id: int, at: datetime, pm_topic_id: int | None
) -> None:
    """Write one suggestion (its own transaction, right after its private message was sent)."""
    row = {
        "topic_id": topic_id,
        "user_id": user_id,
        "suggested_at": at.astimezone(UTC).replace(tzinfo=None),
        "pm_topic_id": pm_topic_id,
    }
    with engine.begin() as conn:
        store.record_suggestion(conn, row)
