"""Indicators of DESIGN §7 computed by hand on small forums, boundaries included."""

from __future__ import annotations

import pytest

from analytics.indicators import Activity, compute_month
from analytics.pooling import indicators
from core.errors import InputError
from core.vocabulary import current_month, shift_month
from tests.support.forum_builder import ForumBuilder, ts


def figures(builder: ForumBuilder, month: str = "2026-10", scope: str | None = None) -> dict:
    return compute_month(Activity(builder.build()), month, scope)


@pytest.fixture
def forum() -> ForumBuilder:
    builder = ForumBuilder()
    for user_id in range(1, 11):
        builder.user(user_id)
    builder.user(50, role="appui")
    builder.user(60, cooperative="coop-b")
    return builder


# --- months and time of day --------------------------------------------------------------


def test_shift_month_crosses_years():
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2025-12", 2) == "2026-02"


def test_current_month_is_the_month_in_paris():
    assert current_month("Europe/Paris", ts("2026-02-28 23:30")) == "2026-03"


def test_current_month_refuses_an_unknown_time_zone_with_the_setting_to_fix():
    with pytest.raises(InputError, match=r"\[network\] timezone"):
        current_month("Europe/Lutece")


def test_month_is_cut_at_midnight_in_paris(forum):
    # 30 Sept 22:30 UTC is 1 Oct 00:30 in Paris (CEST): October
    forum.topic(1, "2026-09-30T22:30:00")
    # 31 Oct 23:30 UTC is 1 Nov 00:30 in Paris (CET): November
    forum.topic(2, "2026-10-31T23:30:00")
    october = figures(forum)
    assert october["topics"].value == 1
    assert figures(forum, "2026-11")["topics"].value == 1


@pytest.mark.parametrize(
    "at, after_hours",
    [
        ("2026-03-27T18:30:00", False),  # Friday 19:30 in Paris (CET, before the change)
        ("2026-03-30T18:30:00", True),  # Monday 20:30 in Paris (CEST, after the change)
        ("2026-03-27T05:30:00", True),  # Friday 06:30 in Paris (CET)
        ("2026-03-30T05:30:00", False),  # Monday 07:30 in Paris (CEST)
        ("2026-03-28T11:00:00", True),  # Saturday noon
        ("2026-03-29T10:00:00", True),  # Sunday noon (CEST, the day of the change)
        ("2026-03-27T18:59:59", False),  # Friday 19:59:59 in Paris (CET)
        ("2026-03-30T18:00:00", True),  # Monday 20:00:00 in Paris (CEST): after hours from 20:00
        ("2026-03-27T05:59:59", True),  # Friday 06:59:59 in Paris (CET)
        ("2026-03-30T05:00:00", False),  # Monday 07:00:00 in Paris (CEST): working hours again
    ],
)
def test_after_hours_follows_paris_time_across_daylight_saving(forum, at, after_hours):
    forum.topic(1, at, category_id=12)
    assert figures(forum, "2026-03")["after_hours"].value == (1.0 if after_hours else 0.0)


def test_after_hours_by_role(forum):
    forum.topic(1, "2026-10-05T10:00:00")
    forum.topic(50, "2026-10-05T21:00:00")  # appui, 23:00 in Paris
    result = figures(forum)
    assert result["after_hours_entrepreneur"].value == 0.0
    assert result["after_hours_appui"].value == 1.0
    assert result["after_hours_appui"].n == 1
    assert result["after_hours_direction"].value is None


# --- mutual aid ----------------------------------------------------------------------------


def test_answer_at_exactly_48_hours_counts_and_one_second_later_does_not(forum):
    on_time = forum.topic(1, "2026-10-05T10:00:00")
    forum.post(on_time, 2, "2026-10-07T10:00:00")
    late = forum.topic(3, "2026-10-05T10:00:00")
    forum.post(late, 4, "2026-10-07T10:00:01")
    result = figures(forum)
    assert result["questions"].value == 2
    assert result["answered_48h"].value == 0.5
    assert result["first_response_hours"].value == pytest.approx((48 + 48 + 1 / 3600) / 2)


def test_the_authors_own_reply_is_not_a_response(forum):
    topic = forum.topic(1, "2026-10-05T10:00:00")
    forum.post(topic, 1, "2026-10-05T11:00:00")
    result = figures(forum)
    assert result["answered_48h"].value == 0.0
    assert result["unanswered"].value == 1
    assert result["first_response_hours"].value is None


def test_question_answered_next_month_is_unanswered_at_month_end(forum):
    topic = forum.topic(1, "2026-10-31T19:00:00")  # 20:00 in Paris
    forum.post(topic, 2, "2026-10-31T23:30:00")  # 1 November 00:30 in Paris
    result = figures(forum)
    assert result["unanswered"].value == 1
    assert result["answered_48h"].value == 1.0


def test_topics_outside_accepted_answer_categories_are_not_questions(forum):
    forum.topic(1, "2026-10-05T10:00:00", category_id=12)
    assert figures(forum)["questions"].value == 0


def test_solved_share_and_peer_first_responses(forum):
    peer = forum.topic(1, "2026-10-05T10:00:00", accepted_post_id=1)
    forum.post(peer, 2, "2026-10-05T11:00:00")
    staff = forum.topic(3, "2026-10-05T10:00:00")
    forum.post(staff, 50, "2026-10-05T12:00:00")
    forum.post(staff, 4, "2026-10-05T13:00:00")
    result = figures(forum)
    assert result["solved_share"].value == 0.5
    assert result["peer_response_share"].value == 0.5
    assert result["peer_response_share"].n == 2


# --- participation -------------------------------------------------------------------------


def test_participation_and_new_contributors(forum):
    forum.topic(1, "2026-09-10T10:00:00", category_id=12)
    forum.topic(1, "2026-10-10T10:00:00", category_id=12)
    forum.topic(2, "2026-10-11T10:00:00", category_id=12)
    result = figures(forum, scope="coop-a")
    assert result["members"].value == 11
    assert result["active_members"].value == 2
    assert result["participation_rate"].value == pytest.approx(2 / 11)
    assert result["new_contributors"].value == 1


def test_system_accounts_deleted_posts_and_pulse_topics_are_left_out(forum):
    forum.user(-1, cooperative=None, role=None)
    forum.topic(-1, "2026-10-05T10:00:00", category_id=12)
    topic = forum.topic(1, "2026-10-05T10:00:00", category_id=12)
    forum.post(topic, 2, "2026-10-05T11:00:00", deleted_at=ts("2026-10-06"))
    pulse = forum.topic(3, "2026-10-01T08:00:00", category_id=10)
    forum.poll("coop-a", "2026-10", "autonomie", [0, 0, 0, 0, 0], status="open")
    forum.polls[-1]["topic_id"] = pulse
    result = figures(forum)
    assert result["topics"].value == 1
    assert result["replies"].value == 0


# --- load concentration ------------------------------------------------------------------


def replies_by(forum: ForumBuilder, counts: dict[int, int], late: set[int] = frozenset()):
    topic = forum.topic(60, "2026-10-01T08:00:00", category_id=12)
    for user_id, count in counts.items():
        hour = "20:30:00" if user_id in late else "10:00:00"  # 22:30 or 12:00 in Paris
        for day in range(count):
            forum.post(topic, user_id, f"2026-10-{(day % 20) + 5:02d}T{hour}")


def test_top_decile_share_and_absence_factor(forum):
    replies_by(forum, {1: 10, 2: 4, 3: 3, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1})
    result = figures(forum)
    assert result["top_decile_share"].value == pytest.approx(10 / 24)
    assert result["top_decile_share"].n == 10
    assert result["absence_factor"].value == 2  # 10 + 4 ≥ 12


def test_overloaded_helper_needs_three_times_the_median_and_30_percent_after_hours(forum):
    replies_by(forum, {1: 6, 2: 6, 3: 2, 4: 2, 5: 2}, late={1})
    result = figures(forum)
    assert result["overloaded_helpers"].value == 1


# --- social relations ----------------------------------------------------------------------


def test_authors_without_reply(forum):
    forum.topic(1, "2026-10-05T10:00:00")
    answered = forum.topic(2, "2026-10-05T10:00:00")
    forum.post(answered, 3, "2026-10-06T10:00:00")
    forum.topic(2, "2026-10-07T10:00:00")
    result = figures(forum)
    assert result["authors_without_reply"].value == 1
    assert result["authors_without_reply"].n == 2


def test_newcomers_coming_back_within_30_days(forum):
    forum.topic(1, "2026-10-01T10:00:00", category_id=12)
    forum.topic(1, "2026-10-31T09:00:00", category_id=12)  # 30 days later: back
    forum.topic(2, "2026-10-01T10:00:00", category_id=12)
    forum.topic(2, "2026-11-01T10:00:00", category_id=12)  # 31 days later: not back
    forum.topic(3, "2026-10-02T10:00:00", category_id=12)  # never again
    result = figures(forum)
    assert result["newcomers_not_back"].value == 2
    assert result["newcomers_not_back"].n == 3


def test_cross_cooperative_replies_follow_the_post_replied_to(forum):
    topic = forum.topic(60, "2026-10-05T10:00:00", category_id=21)  # coop-b member's topic
    forum.post(topic, 1, "2026-10-05T11:00:00")  # to coop-b's author: across
    forum.post(topic, 2, "2026-10-05T12:00:00", reply_to=2)  # to user 1: same coop
    result = figures(forum)
    assert result["cross_coop_share"].value == 0.5


def test_support_exchanges_and_flagged_posts(forum):
    topic = forum.topic(1, "2026-10-05T10:00:00")
    forum.post(topic, 50, "2026-10-05T11:00:00")  # appui → entrepreneur
    forum.post(topic, 1, "2026-10-05T12:00:00", reply_to=2)  # entrepreneur → appui
    forum.post(topic, 2, "2026-10-05T13:00:00", reply_to=1, flag_count=2)
    forum.post(topic, 3, "2026-10-05T14:00:00", hidden=True)
    result = figures(forum)
    assert result["support_exchanges"].value == 2
    assert result["flagged_posts"].value == 2


# --- scopes, pulse, suppression ---------------------------------------------------------------


def test_cooperative_scope_keeps_its_categories_and_its_members(forum):
    forum.topic(1, "2026-10-05T10:00:00")
    forum.topic(1, "2026-10-05T10:00:00", category_id=21)  # a coop-a member in coop-b's category
    coop_a = figures(forum, scope="coop-a")
    coop_b = figures(forum, scope="coop-b")
    assert (coop_a["topics"].value, coop_b["topics"].value) == (1, 1)
    assert coop_a["active_members"].value == 1
    assert coop_b["active_members"].value == 0


def test_pulse_average_per_axis_and_network_total(forum):
    forum.topic(1, "2026-10-05T10:00:00")
    forum.poll("coop-a", "2026-10", "autonomie", [0, 0, 1, 2, 2])
    forum.poll("coop-b", "2026-10", "autonomie", [1, 0, 0, 0, 4])
    forum.poll("coop-b", "2026-10", "insecurite", [0, 0, 9, 0, 0], status="open")
    assert figures(forum, scope="coop-a")["pulse_autonomie"].value == pytest.approx(21 / 5)
    network = figures(forum)
    assert network["pulse_autonomie"].value == pytest.approx((21 + 21) / 10)
    assert network["pulse_autonomie"].n == 10
    assert network["pulse_insecurite"].value is None


def test_network_pulse_leaves_out_a_cooperative_with_fewer_than_five_voters(forum):
    # pooled, coop-b's 4 votes could be worked out from the network's and coop-a's figures
    forum.topic(1, "2026-10-05T10:00:00")
    forum.poll("coop-a", "2026-10", "autonomie", [0, 0, 1, 2, 2])
    forum.poll("coop-b", "2026-10", "autonomie", [4, 0, 0, 0, 0])
    network = figures(forum)["pulse_autonomie"]
    assert (network.value, network.n) == (pytest.approx(21 / 5), 5)
    assert figures(forum, scope="coop-b")["pulse_autonomie"].n == 4


def asked_by(forum: ForumBuilder, people: int, month_day: str) -> None:
    for user_id in range(1, people + 1):
        topic = forum.topic(user_id, month_day)
        forum.post(topic, 10, month_day.replace("T10", "T11"))


def indicator(forum: ForumBuilder, key: str, month: str = "2026-10"):
    rows = indicators(Activity(forum.build()), month, None, min_group_size=5)
    return next(row for row in rows if row.id == key)


def test_four_people_are_suppressed(forum):
    asked_by(forum, 4, "2026-10-05T10:00:00")
    row = indicator(forum, "answered_48h")
    assert row.suppressed
    assert row.value is None
    assert row.n == 4


def test_five_people_are_shown(forum):
    asked_by(forum, 5, "2026-10-05T10:00:00")
    row = indicator(forum, "answered_48h")
    assert not row.suppressed
    assert row.value == 1.0


def test_previous_month_and_three_month_mean_skip_suppressed_months(forum):
    asked_by(forum, 5, "2026-08-05T10:00:00")  # August: 5 askers, all answered
    asked_by(forum, 3, "2026-09-05T10:00:00")  # September: 3 askers, suppressed
    for user_id in range(1, 6):  # October: 5 askers, none answered
        forum.topic(user_id, "2026-10-05T10:00:00")
    row = indicator(forum, "answered_48h")
    assert row.value == 0.0
    assert row.previous is None and row.previous_suppressed
    assert row.mean_3m == 0.5
