"""The store's content: categories, topics, posts, likes, accepted solutions, polls and tags.

Every writer runs in the caller's transaction, so a page and the cursor that says it is done
commit together (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, or_, select, update

from sync.mirror import records
from sync.mirror.schema import (
    Category,
    CategoryPermission,
    Like,
    Poll,
    PollOption,
    Post,
    Solution,
    Topic,
    TopicTag,
    User,
)
from sync.mirror.store.base import Tally, upsert

# ---------------------------------------------------------------------- categories


def categories_with_permissions(conn: Connection) -> set[int]:
    """Ids of the categories whose group permissions the mirror already holds."""
    return set(conn.execute(select(CategoryPermission.category_id).distinct()).scalars())


def replace_categories(
    conn: Connection, rows: list[dict], permissions: Mapping[int, list[dict]]
) -> None:
    """The categories are exactly `rows`; replace the permissions of those in `permissions`
    (a category left out keeps the ones stored)."""
    ids = [row["id"] for row in rows]
    conn.execute(delete(Category).where(Category.id.not_in(ids)))
    upsert(conn, Category.__table__, rows, ["id"])
    conn.execute(delete(CategoryPermission).where(CategoryPermission.category_id.not_in(ids)))
    for category_id, granted in permissions.items():
        conn.execute(
            delete(CategoryPermission).where(CategoryPermission.category_id == category_id)
        )
        if granted:
            conn.execute(CategoryPermission.__table__.insert(), granted)


# ---------------------------------------------------------------------- posts


def like_counts(conn: Connection, post_ids: list[int]) -> dict[int, int]:
    """The stored like count of each of these posts the mirror holds."""
    return dict(conn.execute(select(Post.id, Post.like_count).where(Post.id.in_(post_ids))).all())


def post_version(conn: Connection, post_id: int) -> Row | None:
    """(updated_at, version) of a mirrored post, or None if the mirror lacks it."""
    return conn.execute(select(Post.updated_at, Post.version).where(Post.id == post_id)).first()


def write_posts(
    conn: Connection,
    posts: list[dict],
    likers: Mapping[int, list[int]],
    tally: Tally,
    *,
    from_topic_view: bool,
    keep: Iterable[str] = (),
) -> int:
    """Upsert posts (and their polls, solutions, likers); count new/updated/deleted in `tally`;
    return how many rows changed.

    `keep`: columns the posts do not really carry (a webhook post has no like counts): a
    post already mirrored keeps its stored values for them.
    """
    if not posts:
        return 0
    rows = [records.post_row(post) for post in posts]
    ids = [row["id"] for row in rows]
    columns = [column for column in rows[0] if column != "id"]
    stored = {
        row.id: row._mapping for row in conn.execute(select(Post).where(Post.id.in_(ids))).all()
    }
    for row in rows:
        if row["id"] in stored:
            row.update({column: stored[row["id"]][column] for column in keep})
    changed_rows = []
    for row in rows:
        before = stored.get(row["id"])
        if before is None:
            tally.posts_new += 1
            if row["deleted_at"] is not None:
                tally.posts_deleted += 1
        elif any(before[column] != row[column] for column in columns):
            if before["deleted_at"] is None and row["deleted_at"] is not None:
                tally.posts_deleted += 1
            else:
                tally.posts_updated += 1
        else:
            continue
        tally.likes += abs(row["like_count"] - (before["like_count"] if before else 0))
        changed_rows.append(row)
    upsert(conn, Post.__table__, changed_rows, ["id"])
    _ensure_topics(conn, posts)
    if not from_topic_view:
        _apply_solutions_from_posts(conn, rows, stored, tally)
    for post in posts:
        _write_polls(conn, post)
    for post_id, user_ids in likers.items():
        conn.execute(delete(Like).where(Like.post_id == post_id))
        if user_ids:
            conn.execute(
                Like.__table__.insert(),
                [{"post_id": post_id, "user_id": uid} for uid in set(user_ids)],
            )
    return len(changed_rows)


def _ensure_topics(conn: Connection, posts: list[dict]) -> None:
    """A stub topic (marked for checking) for posts whose topic the mirror lacks."""
    topic_ids = {post["topic_id"] for post in posts}
    known = set(conn.execute(select(Topic.id).where(Topic.id.in_(topic_ids))).scalars())
    stubs = {}
    for post in sorted(posts, key=lambda post: post["post_number"]):
        if post["topic_id"] not in known and post["topic_id"] not in stubs:
            stubs[post["topic_id"]] = records.stub_topic_row(post)
    if stubs:
        upsert(conn, Topic.__table__, list(stubs.values()), ["id"])


def _apply_solutions_from_posts(
    conn: Connection, rows: list[dict], stored: Mapping[int, Any], tally: Tally
) -> None:
    """Accepted-answer flags of `/posts.json` items: set or clear their topic's solution."""
    for row in rows:
        before = stored.get(row["id"])
        if row["accepted_answer"]:
            set_solution(conn, row["topic_id"], row["id"], row["user_id"], tally)
        elif before is not None and before["accepted_answer"]:
            set_solution(conn, row["topic_id"], None, None, tally)


def set_solution(
    conn: Connection, topic_id: int, post_id: int | None, user_id: int | None, tally: Tally
) -> None:
    """The accepted answer of a topic is `post_id` (None: it has none); a change is counted."""
    current = conn.execute(
        select(Solution.post_id).where(Solution.topic_id == topic_id)
    ).scalar_one_or_none()
    if current == post_id:
        return
    tally.solved_topics.add(topic_id)
    conn.execute(update(Topic).where(Topic.id == topic_id).values(accepted_post_id=post_id))
    if post_id is None:
        conn.execute(delete(Solution).where(Solution.topic_id == topic_id))
        return
    # a new accepted answer: when it was accepted is looked up again (the previous one's time
    # and source do not carry over)
    upsert(
        conn,
        Solution.__table__,
        [
            {
                "topic_id": topic_id,
                "post_id": post_id,
                "user_id": user_id,
                "accepted_at": None,
                "acceptance_source": None,
            }
        ],
        ["topic_id"],
    )


def solutions_without_acceptance_time(conn: Connection) -> list[Row]:
    """(post_id, username of the answer's author) of the solutions whose acceptance time has not
    been looked up yet, authors with a known username only."""
    return list(
        conn.execute(
            select(Solution.post_id, User.username)
            .join(User, User.id == Solution.user_id)
            .where(Solution.acceptance_source.is_(None), User.username.is_not(None))
            .order_by(User.username, Solution.post_id)
        )
    )


def write_acceptance_times(
    conn: Connection, times: Mapping[int, datetime | None], source: str
) -> int:
    """Acceptance times (naive UTC) by accepted post id, from `source` ("webhook",
    "user_action"); None: looked up, not found ("unknown"). Only solutions not yet dated are
    written, so a replayed webhook or a later lookup never moves a known time. Returns how many
    solutions got a time."""
    dated = 0
    for post_id, at in times.items():
        result = conn.execute(
            update(Solution)
            .where(Solution.post_id == post_id, Solution.acceptance_source.is_(None))
            .values(accepted_at=at, acceptance_source=source if at is not None else "unknown")
        )
        dated += result.rowcount if at is not None else 0
    return dated


def _write_polls(conn: Connection, post: Mapping[str, Any]) -> None:
    for row, options in records.poll_rows(post):
        upsert(conn, Poll.__table__, [row], ["post_id", "name"])
        poll_id = conn.execute(
            select(Poll.id).where(Poll.post_id == row["post_id"], Poll.name == row["name"])
        ).scalar_one()
        conn.execute(delete(PollOption).where(PollOption.poll_id == poll_id))
        if options:
            conn.execute(
                PollOption.__table__.insert(),
                [{**option, "poll_id": poll_id} for option in options],
            )


def count_likes_given(conn: Connection, user_id: int) -> int:
    """How many likes by `user_id` the mirror knows (only with `fetch_likers`)."""
    return int(
        conn.execute(select(func.count()).select_from(Like).where(Like.user_id == user_id)).scalar()
        or 0
    )


def posts_of(conn: Connection, user_id: int) -> list[Row]:
    """A user's mirrored posts (no text: ids, times, like count, accepted flag), oldest first."""
    return list(
        conn.execute(
            select(
                Post.id,
                Post.topic_id,
                Post.post_number,
                Post.created_at,
                Post.updated_at,
                Post.deleted_at,
                Post.like_count,
                Post.accepted_answer,
            )
            .where(Post.user_id == user_id)
            .order_by(Post.created_at)
        ).all()
    )


# ---------------------------------------------------------------------- topics


def write_topic_fields(conn: Connection, row: dict) -> None:
    """Upsert a topic row carrying only the columns to write (a webhook's own fields)."""
    upsert(conn, Topic.__table__, [row], ["id"])


def write_listing_page(
    conn: Connection, rows: list[dict], tag_lists: list[list[str] | None]
) -> int:
    """Write a page of `/latest.json`: topics whose listing fields changed (or that come back
    from deletion) are marked `needs_check`; return how many were marked."""
    ids = [row["id"] for row in rows]
    stored = {
        row.id: row._mapping for row in conn.execute(select(Topic).where(Topic.id.in_(ids))).all()
    }
    changed = []
    for row in rows:
        before = stored.get(row["id"])
        if records.listing_changed(before, row) or (
            before is not None and before["deleted_at"] is not None
        ):
            changed.append({**row, "deleted_at": None, "needs_check": True})
        elif any(before[key] != value for key, value in row.items()):
            changed.append({**row, "deleted_at": None})
    upsert(conn, Topic.__table__, changed, ["id"])
    write_tags(conn, {row["id"]: tags for row, tags in zip(rows, tag_lists, strict=True)})
    return sum(1 for row in changed if row.get("needs_check"))


def write_tags(conn: Connection, tags_by_topic: Mapping[int, list[str] | None]) -> None:
    """Replace the tags of the given topics (None: the object did not say, leave them)."""
    known = {topic_id: tags for topic_id, tags in tags_by_topic.items() if tags is not None}
    if not known:
        return
    conn.execute(delete(TopicTag).where(TopicTag.topic_id.in_(list(known))))
    rows = [{"topic_id": tid, "tag": tag[:100]} for tid, tags in known.items() for tag in tags]
    if rows:
        conn.execute(TopicTag.__table__.insert(), rows)


def mark_vanished(conn: Connection, seen: set[int], lowest: datetime | None) -> None:
    """Mirrored live topics the walked listing should have shown but did not: re-read them.

    `posts_count = -1` makes the check fail for sure, so the re-read happens even if this
    sync is interrupted and the next one walks a shorter range.
    """
    query = select(Topic.id).where(Topic.deleted_at.is_(None), Topic.archetype == "regular")
    if lowest is not None:  # pinned topics head every page 0, whatever their bump date
        query = query.where(or_(Topic.bumped_at > lowest, Topic.pinned.is_(True)))
    missing = [topic_id for topic_id in conn.execute(query).scalars() if topic_id not in seen]
    if missing:
        conn.execute(
            update(Topic).where(Topic.id.in_(missing)).values(needs_check=True, posts_count=-1)
        )


def topics_to_check(conn: Connection) -> list[Row]:
    """The topics marked `needs_check`, whole rows, by id."""
    return list(
        conn.execute(select(Topic).where(Topic.needs_check.is_(True)).order_by(Topic.id)).all()
    )


def post_shapes(conn: Connection, topic_ids: list[int]) -> dict[int, list[tuple]]:
    """(post_number, deleted_at, like_count) of the mirrored posts of each topic."""
    posts: dict[int, list[tuple]] = {topic_id: [] for topic_id in topic_ids}
    for post in conn.execute(
        select(Post.topic_id, Post.post_number, Post.deleted_at, Post.like_count).where(
            Post.topic_id.in_(topic_ids)
        )
    ):
        posts[post.topic_id].append(tuple(post[1:]))
    return posts


def mark_checked(conn: Connection, topic_ids: list[int], at: datetime) -> None:
    """These topics match their listing: no longer `needs_check`."""
    conn.execute(
        update(Topic).where(Topic.id.in_(topic_ids)).values(needs_check=False, checked_at=at)
    )


def mark_topic_gone(conn: Connection, topic_id: int, at: datetime) -> None:
    """The forum no longer has this topic (404 to an admin): deleted now."""
    conn.execute(
        update(Topic)
        .where(Topic.id == topic_id)
        .values(deleted_at=at, needs_check=False, checked_at=at)
    )


def write_topic_view(
    conn: Connection,
    topic_id: int,
    view: Mapping[str, Any],
    likers: Mapping[int, list[int]],
    tally: Tally,
    at: datetime,
) -> None:
    """Write a topic as `/t/{id}.json` with all its posts shows it to an admin: its posts (those
    it no longer has are removed), its accepted answer, its fields and tags; checked at `at`."""
    posts = view["post_stream"]["posts"]
    row = records.topic_view_row(view)
    write_posts(conn, posts, likers, tally, from_topic_view=True)
    stream_ids = [post["id"] for post in posts]
    conn.execute(delete(Post).where(Post.topic_id == topic_id, Post.id.not_in(stream_ids)))
    accepted = row.pop("accepted_post_id")
    author = next((p.get("user_id") for p in posts if p["id"] == accepted), None)
    set_solution(conn, topic_id, accepted, author, tally)
    row.update(accepted_post_id=accepted, needs_check=False, checked_at=at)
    if row["user_id"] is None:
        row.pop("user_id")
    upsert(conn, Topic.__table__, [row], ["id"])
    write_tags(conn, {topic_id: records.topic_tags(view)})


def fill_topic_authors(conn: Connection) -> None:
    """Topics known only from the listing take their author from their first post."""
    first_author = (
        select(Post.user_id)
        .where(Post.topic_id == Topic.id, Post.post_number == 1)
        .scalar_subquery()
    )
    conn.execute(update(Topic).where(Topic.user_id.is_(None)).values(user_id=first_author))


def regular_topics_among(conn: Connection, topic_ids: Collection[int]) -> set[int]:
    """Those of `topic_ids` the mirror holds as regular topics (not private messages)."""
    return set(
        conn.execute(
            select(Topic.id).where(Topic.id.in_(list(topic_ids)), Topic.archetype == "regular")
        ).scalars()
    )


def count_regular_topics_of(conn: Connection, user_id: int) -> int:
    """How many live regular topics `user_id` opened."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(Topic)
            .where(
                Topic.user_id == user_id,
                Topic.archetype == "regular",
                Topic.deleted_at.is_(None),
            )
        ).scalar()
        or 0
    )
