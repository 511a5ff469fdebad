"""`analytics.scoring`: every expected score below is computed by hand from the rows of the test.

Cast: alice (1) and bob (2) in coop-a, chloe (3) in coop-b, the Discourse system account (-1).
The period is March 2026 in Paris: [28 Feb 23:00 UTC, 31 Mar 22:00 UTC).
"""

from __future__ import annotations

import pytest

from analytics.scoring import COMPONENTS, expertise_map, score
from analytics.settings import ScoreWeights
from core.errors import InputError
from tests.support.forum_builder import CAMPUS, ForumBuilder, only, ts

START, END = ts("2026-02-28T23:00Z"), ts("2026-03-31T22:00Z")


@pytest.fixture
def forum() -> ForumBuilder:
    return (
        ForumBuilder()
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "chloe", cooperative="coop-b")
        .user(-1, "system", cooperative=None, role=None)
    )


def run(builder: ForumBuilder, weights: ScoreWeights, **options):
    return score(builder.build(), weights, start=START, end=END, **options)


def points(table, username: str) -> dict[str, float]:
    """The score and breakdown of one person (an empty dict when they are not listed)."""
    rows = table.loc[table["username"] == username]
    if rows.empty:
        return {}
    row = rows.iloc[0]
    return {"score": row["score"], **{c: row[c] for c in COMPONENTS if row[c]}}


# --- components -------------------------------------------------------------------------------


def test_each_reply_in_someone_elses_topic_earns_reply_points(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    forum.post(1, 1, "2026-03-05T12:00Z")
    assert points(run(forum, only(reply=2)), "alice") == {"score": 4, "reply": 4}  # 2 replies × 2


def test_first_response_goes_to_the_earliest_reply_by_someone_else(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 3, "2026-03-05T11:00Z")  # chloe first
    forum.post(1, 1, "2026-03-05T12:00Z")
    table = run(forum, only(first_response=3))
    assert points(table, "chloe") == {"score": 3, "first_response": 3}
    assert points(table, "alice") == {}


def test_authors_own_follow_up_does_not_take_the_first_response(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 2, "2026-03-05T11:00Z")  # bob adds details
    forum.post(1, 1, "2026-03-05T12:00Z")
    assert points(run(forum, only(first_response=3)), "alice") == {
        "score": 3,
        "first_response": 3,
    }


def test_first_response_written_before_the_period_earns_nothing_in_it(forum):
    forum.topic(2, "2026-02-20T10:00Z", topic_id=1)
    forum.post(1, 3, "2026-02-21T10:00Z")  # chloe answered in February
    forum.post(1, 1, "2026-03-02T10:00Z")
    assert run(forum, only(first_response=3)).empty


def test_replies_to_a_newcomers_first_topic_earn_the_bonus(forum):
    forum.topic(2, "2026-03-01T10:00Z", topic_id=1)  # bob's first topic ever
    forum.topic(2, "2026-03-10T10:00Z", topic_id=2)
    forum.post(1, 1, "2026-03-02T10:00Z")
    forum.post(2, 1, "2026-03-11T10:00Z")
    assert points(run(forum, only(newcomer_first_topic=2)), "alice") == {
        "score": 2,
        "newcomer_first_topic": 2,
    }


def test_cross_cooperative_reply_is_multiplied(forum):
    forum.topic(3, "2026-03-05T10:00Z", topic_id=1)  # chloe (coop-b) asks
    forum.post(1, 1, "2026-03-05T11:00Z")
    # reply 2 + first response 3 = 5, × 1.5 → 2.5 extra
    assert points(
        run(forum, only(reply=2, first_response=3, cross_coop_multiplier=1.5)), "alice"
    ) == {
        "score": 7.5,
        "reply": 2,
        "first_response": 3,
        "cross_coop": 2.5,
    }


def test_reply_within_the_same_cooperative_gets_no_multiplier(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert points(run(forum, only(reply=2, cross_coop_multiplier=1.5)), "alice") == {
        "score": 2,
        "reply": 2,
    }


def test_accepted_solution_in_someone_elses_topic_earns_solution_points(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.solution(forum.post(1, 1, "2026-03-05T11:00Z"))
    assert points(run(forum, only(solution=10)), "alice") == {"score": 10, "solution": 10}


def test_accepted_solution_in_own_topic_earns_nothing(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    forum.post(1, 2, "2026-03-05T12:00Z", accepted=True)  # bob answers himself
    assert run(forum, only(solution=10)).empty


def test_each_like_received_earns_like_points(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    reply = forum.post(1, 1, "2026-03-05T11:00Z")
    forum.like(reply, 2).like(reply, 3)
    assert points(run(forum, only(like=1)), "alice") == {"score": 2, "like": 2}


def test_likes_are_capped_per_post(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z", like_count=8)  # likers unknown: like_count is used
    assert points(run(forum, only(like=1)), "alice") == {"score": 5, "like": 5}  # min(8, 5)


def test_like_on_own_post_is_not_counted(forum):
    first_post = forum.first_post(forum.topic(1, "2026-03-05T10:00Z", topic_id=1))
    forum.like(first_post, 1).like(first_post, 2)  # alice likes herself, bob likes her
    assert points(run(forum, only(like=1)), "alice") == {"score": 1, "like": 1}


def test_each_distinct_topic_author_helped_counts_once(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.topic(2, "2026-03-06T10:00Z", topic_id=2)
    forum.topic(3, "2026-03-07T10:00Z", topic_id=3)
    forum.post(1, 1, "2026-03-08T10:00Z")
    forum.post(1, 1, "2026-03-08T11:00Z")
    forum.post(2, 1, "2026-03-08T12:00Z")
    forum.post(3, 1, "2026-03-08T13:00Z")
    # bob and chloe: 2 people × 2
    assert points(run(forum, only(person_helped=2)), "alice") == {"score": 4, "person_helped": 4}


def test_each_topic_created_earns_topic_points(forum):
    forum.topic(1, "2026-03-05T10:00Z", topic_id=1)
    forum.topic(1, "2026-03-06T10:00Z", topic_id=2)
    assert points(run(forum, only(topic=1)), "alice") == {"score": 2, "topic": 2}


def test_default_weights_add_up_every_component(forum):
    forum.topic(3, "2026-03-02T10:00Z", topic_id=1)  # chloe's first topic (coop-b)
    reply = forum.post(1, 1, "2026-03-02T11:00Z")
    forum.solution(reply)
    forum.like(reply, 2).like(reply, 3)
    forum.topic(1, "2026-03-03T10:00Z", topic_id=2)
    # alice: reply 2, first response 3, newcomer 2, cross (2+3+2)×0.5 = 3.5, solution 10,
    # likes 2, one person helped 2, one topic 1 → 25.5
    assert points(run(forum, ScoreWeights()), "alice") == {
        "score": 25.5,
        "reply": 2,
        "first_response": 3,
        "newcomer_first_topic": 2,
        "cross_coop": 3.5,
        "solution": 10,
        "like": 2,
        "person_helped": 2,
        "topic": 1,
    }


# --- exclusions -------------------------------------------------------------------------------


def test_reply_in_own_topic_earns_nothing(forum):
    forum.topic(1, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2, first_response=3, person_helped=2)).empty


def test_self_reply_in_someone_elses_topic_is_not_a_reply(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")  # post 2
    forum.post(1, 1, "2026-03-05T12:00Z", reply_to=2)  # alice answers herself
    assert points(run(forum, only(reply=2)), "alice") == {"score": 2, "reply": 2}


def test_opt_out_member_is_not_scored(forum):
    forum.member(1, "campus-optout")
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    forum.topic(1, "2026-03-06T10:00Z", topic_id=2)
    forum.post(2, 2, "2026-03-06T11:00Z")
    table = run(forum, only(reply=2))
    assert list(table["username"]) == ["bob"]


def test_opt_out_group_name_is_configurable(forum):
    forum.member(1, "pas-de-score")
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2), optout_group="pas-de-score").empty


def test_system_account_is_not_scored(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, -1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2, topic=1))["username"].tolist() == ["bob"]


def test_reply_in_a_system_topic_helps_nobody(forum):
    forum.topic(-1, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2, person_helped=2)).empty


@pytest.mark.parametrize("flag", ["suspended", "deleted", "staged"])
def test_suspended_deleted_or_staged_user_is_not_scored(flag):
    forum = ForumBuilder().user(1, "alice", **{flag: True}).user(2, "bob")
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2)).empty


def test_deleted_post_does_not_count(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z", deleted=True)
    assert run(forum, only(reply=2)).empty


def test_hidden_post_does_not_count(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z", hidden=True)
    assert run(forum, only(reply=2)).empty


def test_posts_in_a_deleted_topic_do_not_count(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1, deleted=True)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2, topic=1)).empty


def test_whisper_does_not_count(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z", post_type=4)
    assert run(forum, only(reply=2)).empty


def test_exclude_staff_drops_the_appui_role():
    forum = ForumBuilder().user(1, "alice", role="appui").user(2, "bob")
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-05T11:00Z")
    assert run(forum, only(reply=2))["username"].tolist() == ["alice"]
    assert run(forum, only(reply=2), exclude_staff=True).empty


# --- period, cooperative, ranking ------------------------------------------------------------


def test_period_starts_at_midnight_paris_time(forum):
    forum.topic(2, "2026-02-27T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-02-28T22:30+00:00")  # 23:30 in Paris on 28 February: not March
    forum.post(1, 3, "2026-02-28T23:30+00:00")  # 00:30 in Paris on 1 March
    table = run(forum, only(reply=2))
    assert table["username"].tolist() == ["chloe"]


def test_period_ends_at_midnight_paris_summer_time(forum):
    forum.topic(2, "2026-03-27T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-31T21:30Z")  # 23:30 CEST on 31 March
    forum.post(1, 3, "2026-03-31T22:00Z")  # 00:00 CEST on 1 April: April
    assert run(forum, only(reply=2))["username"].tolist() == ["alice"]


def test_coop_lists_only_its_members_with_all_their_help(forum):
    forum.topic(3, "2026-03-05T10:00Z", topic_id=1)  # chloe (coop-b)
    forum.post(1, 1, "2026-03-05T11:00Z")
    forum.topic(1, "2026-03-06T10:00Z", topic_id=2)
    forum.post(2, 3, "2026-03-06T11:00Z")
    table = run(forum, only(reply=2), coop="coop-a")
    assert table["username"].tolist() == ["alice"]


def test_unknown_coop_is_refused_with_the_near_match(forum):
    with pytest.raises(InputError, match="« coop-aa » inconnue : vouliez-vous dire « coop-a »"):
        run(forum, only(reply=2), coop="coop-aa")


def test_equal_scores_share_a_rank_and_are_sorted_by_username(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)
    forum.post(1, 3, "2026-03-05T11:00Z")
    forum.post(1, 1, "2026-03-05T12:00Z")
    forum.topic(1, "2026-03-06T10:00Z", topic_id=2)
    forum.post(2, 2, "2026-03-06T11:00Z")
    forum.post(2, 2, "2026-03-06T12:00Z")
    table = run(forum, only(reply=2))
    assert table[["rank", "username", "score"]].values.tolist() == [
        [1, "bob", 4],
        [2, "alice", 2],
        [2, "chloe", 2],
    ]


def test_category_ids_restrict_the_activity_counted(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)  # Entraide
    forum.post(1, 1, "2026-03-05T11:00Z")
    forum.topic(2, "2026-03-05T10:00Z", topic_id=2, category_id=CAMPUS)
    forum.post(2, 1, "2026-03-05T11:00Z")
    forum.post(2, 1, "2026-03-05T12:00Z")
    table = run(forum, only(reply=2), category_ids={CAMPUS})
    assert points(table, "alice") == {"score": 4, "reply": 4}


def test_expertise_map_ranks_helpers_within_each_theme(forum):
    forum.topic(2, "2026-03-05T10:00Z", topic_id=1)  # Entraide: alice helps
    forum.post(1, 1, "2026-03-05T11:00Z")
    forum.topic(
        2, "2026-03-05T10:00Z", topic_id=2, category_id=CAMPUS
    )  # Campus: chloe twice, alice once
    forum.post(2, 3, "2026-03-05T11:00Z")
    forum.post(2, 3, "2026-03-05T12:00Z")
    forum.post(2, 1, "2026-03-05T13:00Z")
    table = expertise_map(forum.build(), only(reply=2), start=START, end=END, top=1)
    assert table[["theme", "rank", "username", "score"]].values.tolist() == [
        ["Campus", 1, "chloe", 4],
        ["Entraide", 1, "alice", 2],
    ]
