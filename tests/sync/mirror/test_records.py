"""Discourse JSON → mirror rows, on small hand-written objects shaped like the real API."""

from __future__ import annotations

from datetime import datetime

from sync.mirror import records

POST = {
    "id": 512,
    "topic_id": 40,
    "post_number": 3,
    "reply_to_post_number": 1,
    "user_id": 17,
    "created_at": "2026-03-02T21:15:00.250Z",
    "updated_at": "2026-03-03T08:00:00.000Z",
    "deleted_at": None,
    "post_type": 1,
    "version": 2,
    "hidden": False,
    "accepted_answer": True,
    "actions_summary": [
        {"id": 2, "count": 4, "can_act": True},
        {"id": 3, "count": 1},
        {"id": 8, "count": 2},
        {"id": 6, "can_act": True},
    ],
}


def test_timestamps_become_naive_utc():
    assert records.parse_time("2026-03-02T21:15:00.250Z") == datetime(2026, 3, 2, 21, 15, 0, 250000)
    assert records.parse_time("2026-03-02T22:15:00+01:00") == datetime(2026, 3, 2, 21, 15)
    assert records.parse_time(None) is None


def test_post_row_takes_likes_and_flags_from_actions_summary():
    row = records.post_row(POST)

    assert (row["like_count"], row["flag_count"]) == (4, 3)
    assert row["accepted_answer"] is True
    assert row["created_at"] == datetime(2026, 3, 2, 21, 15, 0, 250000)
    assert row["reply_to_post_number"] == 1


def test_post_row_keeps_deletion_and_hidden_state():
    row = records.post_row({**POST, "deleted_at": "2026-04-01T00:00:00Z", "hidden": True})

    assert row["deleted_at"] == datetime(2026, 4, 1)
    assert row["hidden"] is True


def test_listing_row_finds_the_author_among_posters():
    topic = {
        "id": 40,
        "title": "Facturer un client à l'étranger",
        "created_at": "2026-03-01T10:00:00Z",
        "bumped_at": "2026-03-02T21:15:00Z",
        "posts_count": 3,
        "highest_post_number": 4,
        "like_count": 5,
        "has_accepted_answer": True,
        "posters": [
            {"user_id": 9, "description": "Original Poster"},
            {"user_id": 17, "description": "Most Recent Poster"},
        ],
    }

    row = records.listing_row(topic)

    assert row["user_id"] == 9
    assert (row["posts_count"], row["highest_post_number"], row["like_count"]) == (3, 4, 5)
    assert row["has_accepted_answer"] is True


def test_listing_row_without_known_author_leaves_the_author_out():
    row = records.listing_row({"id": 1, "created_at": "2026-03-01T10:00:00Z", "posters": []})

    assert "user_id" not in row


def test_listing_changed_on_each_watched_field():
    stored = {name: 1 for name in records.LISTING_FIELDS}

    assert not records.listing_changed(stored, dict(stored))
    for name in records.LISTING_FIELDS:
        assert records.listing_changed(stored, {**stored, name: 2})
    assert records.listing_changed(None, stored)


def test_topic_view_row_resolves_the_accepted_answer_to_a_post_id():
    view = {
        "id": 40,
        "title": "t",
        "created_at": "2026-03-01T10:00:00Z",
        "deleted_at": "2026-05-01T00:00:00Z",
        "accepted_answer": {"post_number": 3, "username": "lea"},
        "post_stream": {"posts": [{"id": 510, "post_number": 1}, {"id": 512, "post_number": 3}]},
    }

    row = records.topic_view_row(view)

    assert row["accepted_post_id"] == 512
    assert row["has_accepted_answer"] is True
    assert row["deleted_at"] == datetime(2026, 5, 1)


def test_user_row_is_suspended_only_until_the_end_of_the_suspension():
    user = {"id": 5, "username": "lea", "suspended_till": "2026-06-01T00:00:00Z"}

    assert records.user_row(user, now=datetime(2026, 5, 1))["suspended"] is True
    assert records.user_row(user, now=datetime(2026, 7, 1))["suspended"] is False


def test_member_row_carries_only_what_a_group_listing_knows():
    member = {
        "id": 9,
        "username": "lea",
        "name": "Léa",
        "last_seen_at": "2026-05-01T08:00:00Z",
        "added_at": "2025-01-01T00:00:00Z",
    }

    assert records.member_row(member) == {
        "id": 9,
        "username": "lea",
        "name": "Léa",
        "last_seen_at": datetime(2026, 5, 1, 8, 0),
        "deleted": False,
    }


def test_staff_row_keeps_the_admin_and_moderator_flags():
    user = {"id": 4, "username": "anim", "admin": True, "moderator": False, "trust_level": 4}

    assert records.staff_row(user) == {"id": 4, "admin": True, "moderator": False}


def test_category_accepts_answers_from_the_solved_custom_field():
    category = {"id": 3, "name": "Entraide", "slug": "entraide", "parent_category_id": 2}

    enabled = {**category, "custom_fields": {"enable_accepted_answers": "true"}}
    assert records.category_row(enabled)["accepted_answers"] is True
    assert records.category_row(category)["accepted_answers"] is False
    assert records.category_row(category)["parent_id"] == 2


def test_poll_rows_keep_option_totals_and_no_voter():
    post = {
        "id": 7,
        "topic_id": 2,
        "polls": [
            {
                "name": "charge",
                "status": "closed",
                "voters": 3,
                "options": [
                    {"id": "a1", "html": "Oui", "votes": 2},
                    {"id": "b2", "html": "Non", "votes": 1},
                ],
                "preloaded_voters": {"a1": [{"id": 4, "username": "lea"}]},
            }
        ],
    }

    [(poll, options)] = records.poll_rows(post)

    assert (poll["name"], poll["status"], poll["voters"]) == ("charge", "closed", 3)
    assert [(o["option_id"], o["position"], o["votes"]) for o in options] == [
        ("a1", 0, 2),
        ("b2", 1, 1),
    ]
    assert "preloaded_voters" not in poll and all("username" not in o for o in options)


def test_missing_post_numbers_are_the_gaps_of_the_stream():
    assert records.missing_post_numbers(5, [1, 2, 4]) == [3, 5]
    assert records.missing_post_numbers(2, [1, 2]) == []


def test_affiliations_from_cooperative_and_role_groups():
    memberships = [
        (1, "coop-alpha"),
        (1, "entrepreneurs"),
        (2, "coop-beta"),
        (2, "entrepreneurs"),
        (2, "directions"),
        (3, "transformers"),
    ]
    roles = {"entrepreneur": "entrepreneurs", "appui": "equipes-appui", "direction": "directions"}

    found = records.affiliations(memberships, {"coop-alpha", "coop-beta"}, roles)

    assert found[1] == ("coop-alpha", "entrepreneur")
    assert found[2] == ("coop-beta", "direction")
    assert found[3] == (None, None)


def _listing(**fields):
    return {
        "highest_post_number": 3,
        "posts_count": 2,
        "like_count": 4,
        "has_accepted_answer": False,
        "accepted_post_id": None,
        **fields,
    }


def test_a_topic_matches_its_listing_when_every_number_is_known():
    posts = [(1, None, 1), (2, datetime(2026, 1, 1), 9), (3, None, 3)]

    assert records.matches_listing(_listing(), posts)


def test_a_gap_in_post_numbers_needs_a_reread():
    assert not records.matches_listing(_listing(), [(1, None, 1), (3, None, 3)])


def test_changed_likes_or_counts_or_answer_need_a_reread():
    posts = [(1, None, 1), (2, None, 0), (3, None, 3)]

    assert not records.matches_listing(_listing(posts_count=3, like_count=5), posts)
    assert not records.matches_listing(_listing(posts_count=2), posts)
    assert not records.matches_listing(_listing(posts_count=3, has_accepted_answer=True), posts)
