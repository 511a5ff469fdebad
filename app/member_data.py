"""« Mes données »: what the mirror holds about one member, and their own score explained.

Everything here is about the member who asks, and only them (GDPR rights of access and
portability). The mirror keeps no post text, so neither does this.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine

from analytics import scoring as score_engine
from analytics.settings import ScoreWeights
from sync.mirror import db, store
from sync.mirror.loader import load_forum

# score components -> the weight that turns a count of what happened into points
COUNTED_BY = {
    "reply": "reply",
    "first_response": "first_response",
    "newcomer_first_topic": "newcomer_first_topic",
    "solution": "solution",
    "like": "like",
    "person_helped": "person_helped",
    "topic": "topic",
}
PERIOD_DAYS = 365


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC).isoformat() if value.tzinfo is None else value.isoformat()


def mirror_version(engine: Engine) -> tuple:
    """What changes whenever the mirror's content may have changed (sync or webhook)."""
    with db.reader(engine).connect() as connection:
        return store.mirror_version(connection)


class ScoreCache:
    """The network's score table over the last `PERIOD_DAYS` days, kept between requests.

    Scoring reads the whole mirror; doing it once per change rather than once per page keeps
    « Mes données » fast with many members asking at once. The mirror's version is checked at
    most every `CHECK_SECONDS`; a sync or a group change (an opt-out) recomputes at once, the
    webhooks' trickle of events at most every `LIVE_SECONDS` (a year's score barely moves in a
    few minutes). Rows are indexed by user id.
    """

    CHECK_SECONDS = 10.0
    LIVE_SECONDS = 300.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._hooked: str | None = None
        self._checked = 0.0
        self._computed = 0.0
        self._rows: dict[int, pd.Series] = {}

    def row(
        self,
        engine: Engine,
        weights: ScoreWeights,
        optout_group: str,
        user_id: int,
        clock: Callable[[], datetime],
    ) -> pd.Series | None:
        """The member's row of the current score table, or None (no contribution, opted out).

        `clock` gives "now" (the Campus context's), read only when the table is recomputed."""
        with self._lock:
            now = time.monotonic()
            if self._key is None or now - self._checked >= self.CHECK_SECONDS:
                synced, hooked, memberships = mirror_version(engine)
                key = (synced, memberships, weights, optout_group)
                live = hooked != self._hooked and now - self._computed >= self.LIVE_SECONDS
                if key != self._key or live:
                    end = clock()
                    table = score_engine.score(
                        load_forum(engine),
                        weights,
                        start=end - timedelta(days=PERIOD_DAYS),
                        end=end,
                        optout_group=optout_group,
                    )
                    self._rows = {int(row["user_id"]): row for _, row in table.iterrows()}
                    self._key, self._hooked, self._computed = key, hooked, now
                self._checked = now
            return self._rows.get(user_id)


@dataclass(frozen=True)
class ScoreLine:
    """One component of a member's score: what happened (count) and the points it earned."""

    component: str
    count: int | None
    points: float


def score_lines(row: pd.Series | None, weights: ScoreWeights) -> list[ScoreLine]:
    """The member's score line by line (`count` is None for the cross-cooperative bonus)."""
    if row is None:
        return []
    lines = []
    for component in score_engine.COMPONENTS:
        points = float(row[component])
        weight_name = COUNTED_BY.get(component)
        weight = float(getattr(weights, weight_name)) if weight_name else 0.0
        count = round(points / weight) if weight_name and weight else None
        shown = round(points, 2)
        lines.append(ScoreLine(component, count, int(shown) if shown.is_integer() else shown))
    return lines


def held_data(engine: Engine, user_id: int) -> dict:
    """Everything the mirror holds about `user_id`: account, groups, activity (no text)."""
    with db.reader(engine).connect() as connection:
        account = store.account(connection, user_id)
        groups = store.group_names_of(connection, user_id)
        posts = [
            {
                "post_id": row.id,
                "topic_id": row.topic_id,
                "post_number": row.post_number,
                "created_at": _iso(row.created_at),
                "updated_at": _iso(row.updated_at),
                "deleted_at": _iso(row.deleted_at),
                "like_count": row.like_count,
                "accepted_answer": bool(row.accepted_answer),
            }
            for row in store.posts_of(connection, user_id)
        ]
        likes_given = store.count_likes_given(connection, user_id)
        topics = store.count_regular_topics_of(connection, user_id)
    live = [post for post in posts if post["deleted_at"] is None]
    return {
        "account": (
            {key: (_iso(value) if key.endswith("_at") else value) for key, value in account.items()}
            if account
            else None
        ),
        "groups": groups,
        "activity": {
            "topics": int(topics or 0),
            "posts": len(live),
            "deleted_posts": len(posts) - len(live),
            "likes_received": sum(post["like_count"] or 0 for post in live),
            "likes_given_known": int(likes_given or 0),
            "accepted_answers": sum(1 for post in live if post["accepted_answer"]),
            "first_post_at": live[0]["created_at"] if live else None,
            "last_post_at": live[-1]["created_at"] if live else None,
        },
        "posts": posts,
    }


def group_id(engine: Engine, name: str) -> int | None:
    """The Discourse id of group `name`, as the mirror knows it."""
    with db.reader(engine).connect() as connection:
        return store.group_id_by_name(connection, name)


def record_membership(engine: Engine, group: int, user_id: int, member: bool) -> None:
    """Mirror a group change Campus itself just made through the API (the sync confirms it)."""
    with engine.begin() as connection:
        store.record_membership(connection, group, user_id, member)
