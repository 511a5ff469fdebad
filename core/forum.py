"""The mirror as DataFrames: the plain container the analytics consume.

`sync.mirror.loader.load_forum` fills it from the database; the analytics, the reports and the
tests only read it (and tests build it by hand). It holds no SQL: analytics never import sync.
Private messages are left out by the loader, once for all analytics, and no post text exists in
the mirror (DESIGN §7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd


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
    - relay_suggestions: topic_id, user_id, suggested_at (questions relayed to volunteers)
    - barometer_cells: month, cooperative, role, respondents (the anonymous barometer's counted
      answers per group; see `analytics.barometer_figures`)
    - barometer_counts: month, cooperative, role, axis, value, count
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
    relay_suggestions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "topic_id": pd.Series(dtype="int64"),
                "user_id": pd.Series(dtype="int64"),
                "suggested_at": pd.Series(dtype="datetime64[ns, UTC]"),
            }
        )
    )
    barometer_cells: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["month", "cooperative", "role", "respondents"]
        )
    )
    barometer_counts: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["month", "cooperative", "role", "axis", "value", "count"]
        )
    )
