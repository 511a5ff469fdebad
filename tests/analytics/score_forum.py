"""A tiny hand-built `Forum` for the score tests: every row is written by the test itself."""

from __future__ import annotations

from dataclasses import fields

import pandas as pd

from analytics.forum import Forum
from analytics.settings import ScoreWeights

ENTRAIDE = 11  # coop-a's « Entraide » subcategory
CAMPUS = 20  # the network's « Campus » category


def ts(text: str) -> pd.Timestamp:
    """A UTC timestamp from an ISO text (`Z` suffix or explicit offset)."""
    return pd.Timestamp(text).tz_convert("UTC")


def only(**weights: float) -> ScoreWeights:
    """Weights with every component at 0 except the given ones (and the like cap, kept at 5)."""
    zero = {f.name: 0 for f in fields(ScoreWeights) if f.name != "like_cap_per_post"}
    return ScoreWeights(**{**zero, **weights})


class ForumBuilder:
    """Add users, topics, posts and likes one by one, then `build()` the frames of a `Forum`."""

    def __init__(self) -> None:
        self.users: list[dict] = []
        self.memberships: list[dict] = []
        self.categories: list[dict] = [
            dict(id=10, name="Coop A", slug="coop-a", parent_id=None, accepted_answers=False),
            dict(
                id=ENTRAIDE, name="Entraide", slug="entraide", parent_id=10, accepted_answers=True
            ),
            dict(id=CAMPUS, name="Campus", slug="campus", parent_id=None, accepted_answers=True),
        ]
        self.topics: list[dict] = []
        self.posts: list[dict] = []
        self.likes: list[dict] = []
        self.solutions: list[dict] = []
        self._next_post_id = 1000

    def user(
        self,
        user_id: int,
        username: str,
        cooperative: str | None = "coop-a",
        role: str = "entrepreneur",
        **flags: bool,
    ) -> ForumBuilder:
        row = dict(
            id=user_id,
            username=username,
            name=username.title(),
            created_at=ts("2025-01-01T00:00Z"),
            last_seen_at=ts("2026-03-01T00:00Z"),
            admin=False,
            moderator=False,
            active=True,
            staged=False,
            suspended=False,
            deleted=False,
            cooperative=cooperative,
            role=role,
        )
        row.update(flags)
        self.users.append(row)
        return self

    def member(self, user_id: int, group: str) -> ForumBuilder:
        self.memberships.append(
            dict(user_id=user_id, group_id=900 + len(self.memberships), group=group)
        )
        return self

    def topic(
        self,
        topic_id: int,
        user_id: int,
        created_at: str,
        category_id: int = ENTRAIDE,
        deleted: bool = False,
        like_count: int = 0,
    ) -> int:
        """Add a topic and its first post; return the first post's id."""
        self.topics.append(
            dict(
                id=topic_id,
                title=f"Sujet {topic_id}",
                category_id=category_id,
                user_id=user_id,
                created_at=ts(created_at),
                last_posted_at=ts(created_at),
                deleted_at=ts(created_at) if deleted else pd.NaT,
                closed=False,
                accepted_post_id=None,
            )
        )
        return self.post(topic_id, user_id, created_at, like_count=like_count)

    def post(
        self,
        topic_id: int,
        user_id: int,
        created_at: str,
        *,
        reply_to: int | None = None,
        like_count: int = 0,
        hidden: bool = False,
        deleted: bool = False,
        post_type: int = 1,
        accepted: bool = False,
    ) -> int:
        """Add the next post of a topic; return its id."""
        number = 1 + sum(1 for p in self.posts if p["topic_id"] == topic_id)
        post_id = self._next_post_id
        self._next_post_id += 1
        self.posts.append(
            dict(
                id=post_id,
                topic_id=topic_id,
                post_number=number,
                reply_to_post_number=reply_to,
                user_id=user_id,
                created_at=ts(created_at),
                updated_at=ts(created_at),
                deleted_at=ts(created_at) if deleted else pd.NaT,
                post_type=post_type,
                version=1,
                like_count=like_count,
                flag_count=0,
                hidden=hidden,
                accepted_answer=accepted,
            )
        )
        return post_id

    def like(self, post_id: int, user_id: int) -> ForumBuilder:
        self.likes.append(dict(post_id=post_id, user_id=user_id, created_at=pd.NaT))
        for post in self.posts:
            if post["id"] == post_id:
                post["like_count"] += 1
        return self

    def solution(self, post_id: int) -> ForumBuilder:
        post = next(p for p in self.posts if p["id"] == post_id)
        self.solutions.append(
            dict(
                topic_id=post["topic_id"],
                post_id=post_id,
                user_id=post["user_id"],
                accepted_at=post["created_at"],
            )
        )
        return self

    def build(self) -> Forum:
        """The frames with the columns and dtypes `load_forum` produces."""
        categories = pd.DataFrame(self.categories)
        parents = categories.set_index("id")["slug"]
        categories["root_slug"] = categories["parent_id"].map(parents).fillna(categories["slug"])
        users = pd.DataFrame(self.users, columns=USER_COLUMNS)
        topics = pd.DataFrame(self.topics, columns=TOPIC_COLUMNS)
        for column in ("created_at", "last_posted_at", "deleted_at"):
            topics[column] = pd.to_datetime(topics[column], utc=True)
        info = categories.set_index("id")[["root_slug", "accepted_answers"]]
        topics = topics.join(info, on="category_id")
        posts = pd.DataFrame(self.posts, columns=POST_COLUMNS)
        for column in ("created_at", "updated_at", "deleted_at"):
            posts[column] = pd.to_datetime(posts[column], utc=True)
        posts["reply_to_post_number"] = posts["reply_to_post_number"].astype("float64")
        topic_info = topics.set_index("id")[
            ["user_id", "category_id", "root_slug", "accepted_answers", "deleted_at"]
        ]
        posts = posts.join(
            topic_info.rename(columns={"user_id": "topic_user_id", "deleted_at": "topic_deleted"}),
            on="topic_id",
        )
        posts["topic_deleted"] = posts["topic_deleted"].notna()
        return Forum(
            users=users,
            memberships=pd.DataFrame(self.memberships, columns=["user_id", "group_id", "group"]),
            categories=categories,
            topics=topics,
            posts=posts,
            likes=pd.DataFrame(self.likes, columns=["post_id", "user_id", "created_at"]),
            solutions=pd.DataFrame(
                self.solutions, columns=["topic_id", "post_id", "user_id", "accepted_at"]
            ),
            polls=pd.DataFrame(),
            poll_options=pd.DataFrame(),
        )


USER_COLUMNS = [
    "id",
    "username",
    "name",
    "created_at",
    "last_seen_at",
    "admin",
    "moderator",
    "active",
    "staged",
    "suspended",
    "deleted",
    "cooperative",
    "role",
]
TOPIC_COLUMNS = [
    "id",
    "title",
    "category_id",
    "user_id",
    "created_at",
    "last_posted_at",
    "deleted_at",
    "closed",
    "accepted_post_id",
]
POST_COLUMNS = [
    "id",
    "topic_id",
    "post_number",
    "reply_to_post_number",
    "user_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "post_type",
    "version",
    "like_count",
    "flag_count",
    "hidden",
    "accepted_answer",
]
