"""The I/O of `campus digest`: the month's solved questions from the mirror, and where each
month's digest topic was published (so that publishing again updates it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, text

from sync.mirror import db, store


@dataclass
class DigestInputs:
    """What `analytics.digest_selection` needs (timestamps tz-aware UTC).

    - solved: topic_id, title, category_id, category_name, root_slug, parent_id, read_restricted,
      post_number (of the accepted answer), helper_id, helper_username, solved_at (when the
      answer was accepted where the forum says so, else when it was written),
      dated_by_acceptance (which of the two)
    - tags: topic_id, tag; permissions: category_id, group_name; optout_ids: set of user ids
    - top_slugs: the slugs of the top-level categories (a cooperative may have no solved question)
    """

    solved: pd.DataFrame
    tags: pd.DataFrame
    permissions: pd.DataFrame
    optout_ids: set[int]
    top_slugs: set[str]


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def load_digest_inputs(
    engine: Engine, start: datetime, end: datetime, optout_group: str
) -> DigestInputs:
    """Questions whose accepted answer was accepted (else written) in `[start, end)`."""
    with db.reader(engine).connect() as conn:
        solved = pd.read_sql_query(
            text(
                "SELECT t.id AS topic_id, t.title, t.category_id, c.name AS category_name, "
                "COALESCE(p2.slug, c.slug) AS root_slug, c.parent_id, c.read_restricted, "
                "p.post_number, p.user_id AS helper_id, u.username AS helper_username, "
                "COALESCE(s.accepted_at, p.created_at) AS solved_at, "
                "s.accepted_at IS NOT NULL AS dated_by_acceptance "
                "FROM solutions s JOIN topics t ON t.id = s.topic_id "
                "JOIN posts p ON p.id = s.post_id "
                "JOIN categories c ON c.id = t.category_id "
                "LEFT JOIN categories p2 ON p2.id = c.parent_id "
                "LEFT JOIN users u ON u.id = p.user_id "
                "WHERE c.accepted_answers AND t.archetype = 'regular' AND t.deleted_at IS NULL "
                "AND t.visible AND p.deleted_at IS NULL AND NOT p.hidden "
                "AND COALESCE(s.accepted_at, p.created_at) >= :start "
                "AND COALESCE(s.accepted_at, p.created_at) < :end"
            ),
            conn,
            params={"start": _naive(start), "end": _naive(end)},
        )
        tags = pd.read_sql_query(
            text(
                "SELECT g.topic_id, g.tag FROM topic_tags g JOIN solutions s "
                "ON s.topic_id = g.topic_id"
            ),
            conn,
        )
        permissions = pd.read_sql_query(
            text("SELECT category_id, group_name FROM category_permissions"), conn
        )
        optout = conn.execute(
            text(
                "SELECT m.user_id FROM group_memberships m JOIN groups g ON g.id = m.group_id "
                "WHERE g.name = :name"
            ),
            {"name": optout_group},
        ).scalars()
        optout_ids = {int(user_id) for user_id in optout}
        top_slugs = set(
            conn.execute(text("SELECT slug FROM categories WHERE parent_id IS NULL")).scalars()
        )
    solved["solved_at"] = pd.to_datetime(solved["solved_at"], utc=True)
    solved["read_restricted"] = solved["read_restricted"].astype(bool)
    solved["dated_by_acceptance"] = solved["dated_by_acceptance"].astype(bool)
    return DigestInputs(solved, tags, permissions, optout_ids, top_slugs)


def stored_publication(engine: Engine, scope: str, month: str) -> tuple[int, int] | None:
    """(topic_id, post_id) of the digest already published for `scope` and `month`, if any."""
    with db.reader(engine).connect() as conn:
        return store.stored_publication(conn, scope, month)


def record_publication(engine: Engine, scope: str, month: str, topic_id: int, post_id: int) -> None:
    """Remember which topic holds the digest of `scope` for `month`."""
    with engine.begin() as conn:
        store.record_publication(conn, scope, month, topic_id, post_id)
