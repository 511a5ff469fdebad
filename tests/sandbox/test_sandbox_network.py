"""The synthetic network: deterministic, shaped like DESIGN §4, with the expected patterns."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest

from sandbox.network import generate


@pytest.fixture(scope="module")
def small():
    return generate(1, "small")


def test_same_seed_same_network(small):
    again = generate(1, "small")
    assert again.cooperatives_csv == small.cooperatives_csv
    assert again.roster_csv == small.roster_csv
    assert again.forum.truth() == small.forum.truth()
    assert [p.raw for p in again.forum.posts.values()] == [
        p.raw for p in small.forum.posts.values()
    ]


def test_other_seed_other_network(small):
    assert generate(2, "small").roster_csv != small.roster_csv


def test_small_size(small):
    truth = small.forum.truth()
    assert len(small.cooperatives) == 6
    assert 120 <= len(small.roster) <= 180
    assert 180 <= truth["topics"] <= 210
    assert 900 <= truth["posts"] <= 1500


def test_cooperatives_csv_is_valid_for_campus(small):
    rows = list(csv.DictReader(io.StringIO(small.cooperatives_csv)))
    assert list(rows[0]) == ["slug", "name", "region", "color"]
    assert all(re.fullmatch(r"[a-z0-9-]{3,20}", row["slug"]) for row in rows)
    assert len({row["slug"] for row in rows}) == len(rows)


def test_roster_roles_and_cooperatives(small):
    rows = list(csv.DictReader(io.StringIO(small.roster_csv)))
    slugs = {c.slug for c in small.cooperatives}
    roles = Counter(row["role"] for row in rows)
    assert {row["cooperative"] for row in rows} == slugs
    assert set(roles) == {"entrepreneur", "appui", "direction"}
    assert roles["entrepreneur"] / len(rows) > 0.8


def test_forum_is_provisioned_like_design(small):
    forum = small.forum
    for cooperative in small.cooperatives:
        group = forum.group_by_name(cooperative.slug)
        parent = forum.category_by_slug(cooperative.slug)
        assert parent.permissions == {cooperative.slug: 1, "staff": 1}
        assert forum.category_by_slug("entraide", parent.id).accepts_answers
        assert forum.category_by_slug("vie", parent.id).name == "Vie de la coopérative"
        members = {forum.users[uid].username for uid in group.members}
        assert members == {m.username for m in small.roster if m.cooperative == cooperative.slug}
    assert forum.category_by_slug("campus").accepts_answers
    assert forum.category_by_slug("direction").permissions == {"directions": 1, "staff": 1}
    for name in ("entrepreneurs", "equipes-appui", "directions", "transformers", "campus-optout"):
        assert forum.group_by_name(name) is not None


def test_role_groups_match_roster(small):
    forum = small.forum
    directors = {forum.users[uid].username for uid in forum.group_by_name("directions").members}
    assert directors == {m.username for m in small.roster if m.role == "direction"}


def test_bare_network_has_accounts_only():
    bare = generate(1, "small", activity=False)
    assert bare.forum.truth()["topics"] == 0
    assert not [g for g in bare.forum.groups.values() if not g.automatic]
    assert {c.slug for c in bare.forum.categories.values()} == {"uncategorized"}
    assert bare.forum.user_by_username(bare.roster[0].username) is not None


def test_post_ids_follow_time(small):
    posts = sorted(small.forum.posts.values(), key=lambda p: p.id)
    regular = [
        p for p in posts if p.user_id > 0 and small.forum.users[p.user_id].username != "animation"
    ]
    times = [p.created_at for p in regular]
    assert times == sorted(times)


def test_activity_ends_before_reference(small):
    assert max(p.created_at for p in small.forum.posts.values()) <= small.reference


def test_activity_covers_the_year_before_reference(small):
    created = [post.created_at for post in small.forum.posts.values()]
    assert min(created) <= small.reference - timedelta(days=360)
    assert len({(moment.year, moment.month) for moment in created}) >= 12


def test_activity_has_voted_polls(small):
    polls = [poll for post in small.forum.posts.values() for poll in post.polls]
    assert polls
    assert all(poll.votes for poll in polls)


def test_patterns_are_present(small):
    forum = small.forum
    posts = [p for p in forum.posts.values() if forum.is_counted_topic(forum.topics[p.topic_id])]
    likes = [a for a in forum.post_actions.values() if a.post_action_type_id == 2]
    assert any(p.deleted_at for p in posts)
    assert any(p.hidden for p in forum.posts.values())
    assert any(t.is_private_message for t in forum.topics.values())
    assert any(p.user_id == -1 for p in posts)
    assert any(u.staged for u in forum.users.values())
    assert any(u.suspended_till for u in forum.users.values())
    assert any(forum.topics[p.topic_id].accepted_answer_post_id == p.id for p in posts)
    assert any(a.post_action_type_id != 2 for a in forum.post_actions.values())
    assert any(len(t.post_ids) == 1 for t in forum.topics.values() if forum.is_counted_topic(t))
    assert any(a.user_id == forum.posts[a.post_id].user_id for a in likes)
    assert any(len(t.post_ids) > 20 for t in forum.topics.values())


def test_heavy_helpers_write_many_replies(small):
    replies = Counter(
        p.user_id for p in small.forum.posts.values() if p.post_number > 1 and p.user_id > 0
    )
    counts = sorted(replies.values(), reverse=True)
    assert counts[0] >= 5 * counts[len(counts) // 2]


def test_some_posts_are_written_at_night_or_weekends(small):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    local = [p.created_at.astimezone(paris) for p in small.forum.posts.values()]
    off_hours = [t for t in local if t.hour >= 20 or t.hour < 7 or t.weekday() >= 5]
    assert 0.05 < len(off_hours) / len(local) < 0.6


def test_topics_overrides_the_size_topic_count():
    assert generate(3, "small", topics=2100).forum.truth()["topics"] >= 2000


def test_network_size():
    network = generate(1, "network")
    truth = network.forum.truth()
    assert len(network.cooperatives) == 74
    assert {c.region for c in network.cooperatives}.__len__() == 13
    assert 7500 <= len(network.roster) <= 8500
    assert 2300 <= truth["topics"] <= 2600
    assert 12000 <= truth["posts"] <= 18000


def test_nobody_posts_before_their_account_exists(small):
    forum = small.forum
    assert all(
        post.created_at >= forum.users[post.user_id].created_at for post in forum.posts.values()
    )


def test_newcomers_have_recent_accounts_and_some_post(small):
    forum = small.forum
    recent = {
        u.id
        for u in forum.users.values()
        if u.id > 0 and u.created_at > small.reference - timedelta(days=120)
    }
    assert recent
    assert any(post.user_id in recent for post in forum.posts.values())


@pytest.fixture(scope="module")
def sparse():
    """The real network's shape (about 0.7 s to generate on the test machine)."""
    return generate(1, "sparse")


def _writers(network) -> tuple[dict[str, set[int]], dict[tuple[str, str], set[int]], Counter]:
    """Members who wrote in each month, in each cooperative-month, and everyone's post count
    (public topics only, months in Paris time)."""
    from sandbox.network import PARIS

    forum = network.forum
    cooperative = {member.username: member.cooperative for member in network.roster}
    of_user = {user.id: cooperative.get(user.username) for user in forum.users.values()}
    by_month: dict[str, set[int]] = {}
    by_cell: dict[tuple[str, str], set[int]] = {}
    posts: Counter = Counter()
    for post in forum.posts.values():
        slug = of_user.get(post.user_id)
        if slug is None or forum.topics[post.topic_id].is_private_message:
            continue
        month = post.created_at.astimezone(PARIS).strftime("%Y-%m")
        by_month.setdefault(month, set()).add(post.user_id)
        by_cell.setdefault((slug, month), set()).add(post.user_id)
        posts[post.user_id] += 1
    return by_month, by_cell, posts


def test_sparse_size_is_the_real_networks_shape(sparse):
    assert len(sparse.cooperatives) == 74
    assert 7500 <= len(sparse.roster) <= 8500
    by_month, by_cell, posts = _writers(sparse)
    months = sorted(by_month)[1:-1]  # whole months only
    assert len(months) >= 24  # two years and more: periods before and after a start
    shares = sorted(len(by_month[month]) / len(sparse.roster) for month in months)
    assert 0.007 <= shares[len(shares) // 2] <= 0.015  # about 1 % of members write in a month
    cells = [len(by_cell.get((c.slug, m), ())) for c in sparse.cooperatives for m in months]
    assert 0.8 <= sum(cells) / len(cells) <= 2.0  # one or two people per cooperative-month
    assert sorted(cells)[len(cells) // 2] <= 2
    counts = sorted(posts.values())
    assert counts[-1] >= 20 * counts[len(counts) // 2]  # a heavy tail of very active members


def test_sparse_network_is_deterministic(sparse):
    again = generate(1, "sparse")
    assert again.roster_csv == sparse.roster_csv
    assert again.forum.truth() == sparse.forum.truth()
