"""One hand-built `core.forum.Forum` for the analytics tests: every row is written by the test.

The categories are fixed: cooperative `coop-a` (10, with « Entraide » 11 and « Vie » 12),
cooperative `coop-b` (20, with « Entraide » 21) and the network's « Campus » (30). Users,
memberships, topics, posts, likes, solutions and barometer polls are added one by one, then
`build()` gives the frames with the columns and dtypes `load_forum` produces.
"""

from __future__ import annotations

import itertools
from dataclasses import fields

import pandas as pd

from analytics.settings import ScoreWeights
from core.forum import Forum

COOP_A = 10  # coop-a's root category
ENTRAIDE = 11  # coop-a's « Entraide » subcategory (accepted answers)
VIE = 12  # coop-a's « Vie » subcategory (no accepted answers)
COOP_B = 20  # coop-b's root category
ENTRAIDE_B = 21  # coop-b's « Entraide » subcategory (accepted answers)
CAMPUS = 30  # the network's « Campus » category (accepted answers)


def ts(text: str) -> pd.Timestamp:
    """A UTC timestamp from an ISO text; a text without an offset is read as UTC."""
    stamp = pd.Timestamp(text)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def only(**weights: float) -> ScoreWeights:
    """Weights with every component at 0 except the given ones (and the like cap, kept at 5)."""
    zero = {f.name: 0 for f in fields(ScoreWeights) if f.name != "like_cap_per_post"}
    return ScoreWeights(**{**zero, **weights})


class ForumBuilder:
    """Add users, topics, posts, likes, solutions and polls one by one, then `build()` a `Forum`.

    Topic ids are given by the test or drawn, like post ids, from one counter starting at 1000.
    """

    def __init__(self) -> None:
        self.users: list[dict] = []
        self.memberships: list[dict] = []
        self.categories: list[dict] = [
            dict(id=COOP_A, name="Coop A", slug="coop-a", parent_id=None, accepted_answers=False),
            dict(id=ENTRAIDE, name="Entraide", slug="entraide", parent_id=COOP_A,
                 accepted_answers=True),
            dict(id=VIE, name="Vie", slug="vie", parent_id=COOP_A, accepted_answers=False),
            dict(id=COOP_B, name="Coop B", slug="coop-b", parent_id=None, accepted_answers=False),
            dict(id=ENTRAIDE_B, name="Entraide", slug="entraide", parent_id=COOP_B,
                 accepted_answers=True),
            dict(id=CAMPUS, name="Campus", slug="campus", parent_id=None, accepted_answers=True),
        ]  # fmt: skip
        self.topics: list[dict] = []
        self.posts: list[dict] = []
        self.likes: list[dict] = []
        self.solutions: list[dict] = []
        self.polls: list[dict] = []
        self.options: list[dict] = []
        self._ids = itertools.count(1000)

    def user(
        self,
        user_id: int,
        username: str | None = None,
        cooperative: str | None = "coop-a",
        role: str | None = "entrepreneur",
        **columns: object,
    ) -> ForumBuilder:
        """Add a user (`u<id>` unless named); `columns` overrides flags such as `admin=True`."""
        username = username if username is not None else f"u{user_id}"
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
        self.users.append(row | columns)
        return self

    def member(self, user_id: int, group: str) -> ForumBuilder:
        """Put a user in a Discourse group."""
        self.memberships.append(
            dict(user_id=user_id, group_id=900 + len(self.memberships), group=group)
        )
        return self

    def topic(
        self,
        user_id: int,
        created_at: str,
        *,
        topic_id: int | None = None,
        category_id: int = ENTRAIDE,
        deleted: bool = False,
        like_count: int = 0,
        **columns: object,
    ) -> int:
        """Add a topic and its first post; return the topic's id.

        `columns` overrides topic columns (e.g. `accepted_post_id`, `closed`).
        """
        topic_id = topic_id if topic_id is not None else next(self._ids)
        row = dict(
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
        self.topics.append(row | columns)
        self.post(topic_id, user_id, created_at, like_count=like_count)
        return topic_id

    def first_post(self, topic_id: int) -> int:
        """The id of a topic's first post."""
        return next(
            p["id"] for p in self.posts if p["topic_id"] == topic_id and p["post_number"] == 1
        )

    def post(
        self,
        topic_id: int,
        user_id: int,
        created_at: str,
        *,
        reply_to: int | None = None,
        like_count: int = 0,
        deleted: bool = False,
        accepted: bool = False,
        **columns: object,
    ) -> int:
        """Add the next post of a topic; return its id.

        `columns` overrides post columns (e.g. `hidden`, `post_type`, `flag_count`).
        """
        number = 1 + sum(1 for p in self.posts if p["topic_id"] == topic_id)
        post_id = next(self._ids)
        row = dict(
            id=post_id,
            topic_id=topic_id,
            post_number=number,
            reply_to_post_number=reply_to,
            user_id=user_id,
            created_at=ts(created_at),
            updated_at=ts(created_at),
            deleted_at=ts(created_at) if deleted else pd.NaT,
            post_type=1,
            version=1,
            like_count=like_count,
            flag_count=0,
            hidden=False,
            accepted_answer=accepted,
        )
        self.posts.append(row | columns)
        return post_id

    def like(self, post_id: int, user_id: int) -> ForumBuilder:
        """A user likes a post (its `like_count` follows)."""
        self.likes.append(dict(post_id=post_id, user_id=user_id, created_at=pd.NaT))
        for post in self.posts:
            if post["id"] == post_id:
                post["like_count"] += 1
        return self

    def solution(self, post_id: int) -> ForumBuilder:
        """Mark a post as its topic's accepted answer, accepted when it was written."""
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

    def poll(
        self, coop: str, month: str, axis: str, votes: list[int], status: str = "closed"
    ) -> None:
        """A barometer poll of a cooperative's month on one axis, `votes` per option 1…n."""
        poll_id = len(self.polls) + 1
        self.polls.append(
            dict(id=poll_id, post_id=9000 + poll_id, topic_id=9000, name=axis, status=status,
                 close_at=None, voters=sum(votes), pulse_month=month, cooperative=coop)
        )  # fmt: skip
        for position, count in enumerate(votes, start=1):
            self.options.append(
                dict(poll_id=poll_id, option_id=f"o{position}", position=position,
                     label=str(position), votes=count)
            )  # fmt: skip

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
            polls=pd.DataFrame(self.polls, columns=POLL_COLUMNS),
            poll_options=pd.DataFrame(
                self.options, columns=["poll_id", "option_id", "position", "label", "votes"]
            ),
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
POLL_COLUMNS = [
    "id",
    "post_id",
    "topic_id",
    "name",
    "status",
    "close_at",
    "voters",
    "pulse_month",
    "cooperative",
]
