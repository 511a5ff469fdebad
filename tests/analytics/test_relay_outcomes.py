"""The report's relay figures: relayed questions of the month and, of them, answered in 48 h."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analytics.indicators import Activity, compute_month
from tests.support.forum_builder import ForumBuilder


@pytest.fixture
def forum() -> ForumBuilder:
    builder = ForumBuilder()
    for user_id in range(1, 11):
        builder.user(user_id)
    builder.user(60, cooperative="coop-b")
    return builder


def relayed(builder: ForumBuilder, suggestions: list[tuple[int, int, str]]):
    """The month's figures once `suggestions` (topic, volunteer, time) are in the mirror."""
    frame = pd.DataFrame(suggestions, columns=["topic_id", "user_id", "suggested_at"])
    frame["suggested_at"] = pd.to_datetime(frame["suggested_at"], utc=True)
    forum = dataclasses.replace(builder.build(), relay_suggestions=frame)
    activity = Activity(forum)
    return compute_month(activity, "2026-10", None), compute_month(activity, "2026-10", "coop-b")


def test_a_question_answered_within_48_hours_of_its_relay_counts(forum):
    quick = forum.topic(1, "2026-10-01T08:00:00")
    forum.post(quick, 2, "2026-10-04T08:00:00")  # 48 h after the relay
    slow = forum.topic(3, "2026-10-01T08:00:00")
    forum.post(slow, 4, "2026-10-04T08:00:01")
    never = forum.topic(5, "2026-10-01T08:00:00")

    network, _ = relayed(
        forum,
        [
            (quick, 7, "2026-10-02T08:00:00"),
            (quick, 8, "2026-10-02T08:00:00"),
            (slow, 7, "2026-10-02T08:00:00"),
            (never, 9, "2026-10-02T08:00:00"),
        ],
    )

    assert network["relayed_questions"].value == 3
    assert network["relayed_questions"].n == 3
    assert network["relayed_answered_48h"].value == pytest.approx(1 / 3)


def test_a_question_counts_in_the_month_of_its_first_relay(forum):
    topic = forum.topic(1, "2026-09-28T08:00:00")
    network, _ = relayed(
        forum, [(topic, 7, "2026-09-30T08:00:00"), (topic, 8, "2026-10-02T08:00:00")]
    )
    assert network["relayed_questions"].value == 0


def test_a_cooperative_sees_only_its_own_relayed_questions(forum):
    mine = forum.topic(60, "2026-10-01T08:00:00", category_id=21)
    theirs = forum.topic(1, "2026-10-01T08:00:00")
    network, coop_b = relayed(
        forum, [(mine, 7, "2026-10-02T08:00:00"), (theirs, 7, "2026-10-02T08:00:00")]
    )
    assert (network["relayed_questions"].value, coop_b["relayed_questions"].value) == (2, 1)


def test_without_relay_the_figures_are_zero_and_undefined(forum):
    forum.topic(1, "2026-10-01T08:00:00")
    network, _ = relayed(forum, [])
    assert network["relayed_questions"].value == 0
    assert network["relayed_answered_48h"].value is None
