"""Properties of the score on random small forums (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.scoring import COMPONENTS, score
from analytics.settings import ScoreWeights
from tests.support.forum_builder import CAMPUS, ENTRAIDE, ForumBuilder, ts

START, END = ts("2026-02-28T23:00Z"), ts("2026-03-31T22:00Z")
FIRST_DAY = ts("2026-02-28T18:00Z")  # a few hours before the period
USERS = {1: "coop-a", 2: "coop-a", 3: "coop-b", 4: None, 5: "coop-b", -1: None}

points = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 10.0])
weights = st.builds(
    ScoreWeights,
    reply=points,
    first_response=points,
    solution=points,
    like=points,
    like_cap_per_post=st.integers(0, 6),
    person_helped=points,
    cross_coop_multiplier=st.sampled_from([0.0, 1.0, 1.5, 2.0]),
    newcomer_first_topic=points,
    topic=points,
)
# one event: (hours after the previous one, author, new topic?, topic pick, reply_to pick,
#             likes, accepted, deleted, hidden, category)
events = st.lists(
    st.tuples(
        st.integers(0, 24),
        st.sampled_from(sorted(USERS)),
        st.booleans(),
        st.integers(0, 50),
        st.integers(0, 5),
        st.integers(0, 8),
        st.booleans(),
        st.sampled_from([False, False, False, True]),
        st.sampled_from([False, False, False, True]),
        st.sampled_from([ENTRAIDE, CAMPUS]),
    ),
    max_size=30,
)


def build(history: list[tuple], names: dict[int, str] | None = None) -> ForumBuilder:
    """A forum where every event happens after the previous one."""
    names = names or {user_id: f"user{user_id}" for user_id in USERS}
    forum = ForumBuilder()
    for user_id, coop in USERS.items():
        forum.user(user_id, names[user_id], cooperative=coop)
    when = FIRST_DAY
    for (
        hours,
        author,
        new_topic,
        pick,
        reply_to,
        likes,
        accepted,
        deleted,
        hidden,
        category,
    ) in history:
        when += timedelta(hours=hours)
        add(
            forum,
            when,
            author,
            new_topic,
            pick,
            reply_to,
            likes,
            accepted,
            deleted,
            hidden,
            category,
        )
    return forum


def add(forum, when, author, new_topic, pick, reply_to, likes, accepted, deleted, hidden, category):
    stamp = when.isoformat()
    if new_topic or not forum.topics:
        forum.topic(
            author, stamp, topic_id=len(forum.topics) + 1, category_id=category, like_count=likes
        )
        return
    topic_id = forum.topics[pick % len(forum.topics)]["id"]
    numbers = sum(1 for p in forum.posts if p["topic_id"] == topic_id)
    forum.post(
        topic_id,
        author,
        stamp,
        reply_to=(reply_to % numbers) + 1 if reply_to else None,
        like_count=likes,
        accepted=accepted,
        deleted=deleted,
        hidden=hidden,
    )


def scores(forum: ForumBuilder, weights: ScoreWeights) -> pd.DataFrame:
    return score(forum.build(), weights, start=START, end=END)


@settings(max_examples=60, deadline=None)
@given(events, weights)
def test_scores_and_components_are_never_negative(history, weights):
    table = scores(build(history), weights)
    assert (table[["score", *COMPONENTS]] >= 0).all().all()


@settings(max_examples=60, deadline=None)
@given(events, weights)
def test_breakdown_sums_exactly_to_the_score(history, weights):
    table = scores(build(history), weights)
    assert table[list(COMPONENTS)].sum(axis=1).tolist() == table["score"].tolist()


@settings(max_examples=100, deadline=None)
@given(events, weights, events.filter(bool).map(lambda history: history[0]))
def test_a_new_post_by_someone_never_lowers_anyone_elses_score(history, weights, new_post):
    forum = build(history)
    before = scores(forum, weights).set_index("user_id")["score"]
    hours, author, *rest = new_post
    when = max([FIRST_DAY, *(p["created_at"] for p in forum.posts)]) + timedelta(hours=hours)
    add(forum, when, author, *rest)
    after = scores(forum, weights).set_index("user_id")["score"]
    others = before.drop(author, errors="ignore")
    assert (after.reindex(others.index, fill_value=0) >= others).all()


@settings(max_examples=60, deadline=None)
@given(events, weights)
def test_renaming_users_changes_nothing_but_names(history, weights):
    renamed = {user_id: f"zz-{100 - user_id}" for user_id in USERS}
    original = scores(build(history), weights).drop(columns="username")
    other = scores(build(history, renamed), weights).drop(columns="username")
    by_user = ["user_id"]
    pd.testing.assert_frame_equal(
        original.sort_values(by_user).reset_index(drop=True),
        other.sort_values(by_user).reset_index(drop=True),
    )
