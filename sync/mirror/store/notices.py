"""The store's director notices: who directs which cooperative (from the mirrored group
memberships), and the monthly notices already sent, so that none is sent twice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.orm import aliased

from sync.mirror.schema import DirectorNotice, Group, Membership, User
from sync.mirror.store.base import upsert


def directors(
    conn: Connection, directions_group: str, cooperative_slugs: Iterable[str]
) -> list[tuple[int, str, str]]:
    """(user id, username, cooperative slug) of each account in both the directions group and
    a cooperative's group (named by its slug), that can still read: not deleted, suspended or
    staged. Ordered by user id, then slug; group names compare case-insensitively."""
    slugs = {slug.lower() for slug in cooperative_slugs}
    if not slugs:
        return []
    in_directions = aliased(Membership)
    in_cooperative = aliased(Membership)
    directions = aliased(Group)
    cooperative = aliased(Group)
    rows = conn.execute(
        select(User.id, User.username, func.lower(cooperative.name))
        .join(in_directions, in_directions.user_id == User.id)
        .join(
            directions,
            and_(
                directions.id == in_directions.group_id,
                func.lower(directions.name) == directions_group.lower(),
            ),
        )
        .join(in_cooperative, in_cooperative.user_id == User.id)
        .join(
            cooperative,
            and_(
                cooperative.id == in_cooperative.group_id,
                func.lower(cooperative.name).in_(sorted(slugs)),
            ),
        )
        .where(User.deleted.is_(False), User.suspended.is_(False), User.staged.is_(False))
        .order_by(User.id, func.lower(cooperative.name))
    ).all()
    return [(int(user_id), str(username), str(slug)) for user_id, username, slug in rows]


def notified_directors(conn: Connection, month: str) -> set[int]:
    """The user ids of the directors already told of `month`'s reports."""
    return set(
        conn.execute(select(DirectorNotice.user_id).where(DirectorNotice.month == month)).scalars()
    )


def record_director_notice(
    conn: Connection, month: str, user_id: int, at: datetime, pm_topic_id: int | None
) -> None:
    """Remember that `user_id` was told of `month`'s reports at `at` by message `pm_topic_id`."""
    row = {
        "month": month,
        "user_id": user_id,
        "sent_at": at.astimezone(UTC).replace(tzinfo=None),
        "pm_topic_id": pm_topic_id,
    }
    upsert(conn, DirectorNotice.__table__, [row], ["month", "user_id"])
