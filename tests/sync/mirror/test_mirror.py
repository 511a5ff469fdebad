"""The mirror against the sandbox over real HTTP, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sandbox.activity import apply
from sandbox.state import LIKE
from sync.mirror.db import connect
from sync.mirror.pull import SyncOptions
from sync.mirror.schema import Category, Group, Like, Poll, PollOption, Post, Topic, User
from tests.conftest import SANDBOX_TEST_KEY
from tests.support.mirror import counts, dump, make_api, sync

pytestmark = pytest.mark.integration


def truth(server) -> dict:
    return server.state.truth()


def test_full_sync_equals_the_forum(mirror_engine, sandbox_api, sandbox_server):
    sync(mirror_engine, sandbox_api)

    assert counts(mirror_engine) == truth(sandbox_server)


def test_full_sync_reads_deleted_and_hidden_posts_through_topic_views(
    mirror_engine, sandbox_api, sandbox_server
):
    summary = sync(mirror_engine, sandbox_api)

    forum = sandbox_server.state
    with mirror_engine.connect() as conn:
        hidden = set(conn.execute(select(Post.id).where(Post.hidden.is_(True))).scalars())
    assert hidden == {
        post.id for post in forum.posts.values() if post.hidden and _in_listing(forum, post)
    }
    assert summary.requests_by_endpoint["GET /t/{id}.json"] == summary.topics_reread


def _in_listing(forum, post) -> bool:
    return forum.is_counted_topic(forum.topics[post.topic_id])


def test_idle_incremental_sync_costs_at_most_five_requests(mirror_engine, sandbox_api):
    sync(mirror_engine, sandbox_api)

    summary = sync(mirror_engine, sandbox_api, SyncOptions())

    assert summary.requests <= 5
    assert (summary.posts_new, summary.posts_updated, summary.posts_deleted) == (0, 0, 0)


def test_incremental_sync_converges_after_activity(mirror_engine, sandbox_api, sandbox_server):
    sync(mirror_engine, sandbox_api)
    done = apply(
        sandbox_server.state, seed=7, new_posts=30, edits=10, deletes=8, accepts=5, likes=25
    )

    summary = sync(mirror_engine, sandbox_api)

    assert counts(mirror_engine) == truth(sandbox_server)
    assert summary.posts_new == len(done["new_posts"])
    assert summary.posts_deleted == len(done["deleted"])
    forum = sandbox_server.state
    with mirror_engine.connect() as conn:
        posts = {row.id: row for row in conn.execute(select(Post)).all()}
        accepted = dict(conn.execute(select(Topic.id, Topic.accepted_post_id)).all())
    for post_id in done["new_posts"]:
        assert posts[post_id].user_id == forum.posts[post_id].user_id
    for post_id in done["deleted"]:
        assert posts[post_id].deleted_at is not None
    for post_id in done["accepted"]:
        assert accepted[forum.posts[post_id].topic_id] == post_id
    for post_id, _username in done["likes"]:
        assert posts[post_id].like_count == len(forum.likes_of(forum.posts[post_id]))


def test_incremental_sync_equals_a_fresh_mirror_but_for_edits_in_quiet_topics(
    mirror_engine, sandbox_api, sandbox_server, tmp_path
):
    sync(mirror_engine, sandbox_api)
    done = apply(
        sandbox_server.state, seed=7, new_posts=30, edits=10, deletes=8, accepts=5, likes=25
    )

    sync(mirror_engine, sandbox_api)

    reference = connect(f"sqlite:///{tmp_path / 'reference.db'}")
    sync(reference, sandbox_api)
    reference_dump = dump(reference)
    reference.dispose()
    # an edit alone changes no listing field: seen by --full (documented limit, tested below)
    edited = {repr(post_id) for post_id in done["edited"]}

    def without_edit_marks(mirror: dict) -> dict:
        posts = [
            row[:6] + row[7:9] + row[10:] if row[0] in edited else row for row in mirror["posts"]
        ]
        return {**mirror, "posts": sorted(posts)}

    assert without_edit_marks(dump(mirror_engine)) == without_edit_marks(reference_dump)


def test_full_sync_catches_edits_that_changed_no_listing_field(
    mirror_engine, sandbox_api, sandbox_server
):
    sync(mirror_engine, sandbox_api)
    edited = apply(sandbox_server.state, seed=3, edits=6)["edited"]

    sync(mirror_engine, sandbox_api, full=True)

    with mirror_engine.connect() as conn:
        versions = dict(
            conn.execute(select(Post.id, Post.version).where(Post.id.in_(edited))).all()
        )
    assert versions == {post_id: sandbox_server.state.posts[post_id].version for post_id in edited}


def test_a_topic_deleted_as_a_whole_is_detected(mirror_engine, sandbox_api, sandbox_server):
    sync(mirror_engine, sandbox_api)
    forum = sandbox_server.state
    topic = next(
        t for t in sorted(forum.topics.values(), key=lambda t: -t.id) if forum.is_counted_topic(t)
    )
    forum.delete_post(forum.posts[topic.post_ids[0]])

    sync(mirror_engine, sandbox_api)

    with mirror_engine.connect() as conn:
        deleted_at = conn.execute(select(Topic.deleted_at).where(Topic.id == topic.id)).scalar_one()
    assert deleted_at is not None
    assert counts(mirror_engine) == truth(sandbox_server)


def test_faults_and_rate_limit_storms_end_in_the_same_mirror(
    mirror_engine, sandbox_api, sandbox_server, tmp_path
):
    reference = connect(f"sqlite:///{tmp_path / 'reference.db'}")
    sync(reference, sandbox_api)
    sandbox_server.set_faults(
        seed=11,
        bad_gateway=0.04,
        unavailable=0.03,
        drop=0.03,  # 10 % of requests fail
        rate_limit=0.05,
        ip_rate_limit=0.03,
        burst=4,  # each drawn 429 is a storm: 4 in a row (the client waits up to 8 times)
    )

    faulty = make_api(sandbox_server.url, SANDBOX_TEST_KEY, max_retries=10)

    summary = sync(mirror_engine, faulty)

    sandbox_server.set_faults()
    assert summary.requests > sync(reference, sandbox_api, full=True).requests
    assert faulty.rate_limit_hits >= 2 * 4  # storms happened
    assert dump(mirror_engine) == dump(reference)
    reference.dispose()


def test_likers_are_fetched_only_behind_the_setting(mirror_engine, sandbox_api, sandbox_server):
    summary = sync(mirror_engine, sandbox_api, SyncOptions(reconcile_days=3650, fetch_likers=True))

    forum = sandbox_server.state
    with mirror_engine.connect() as conn:
        likes = Counter(conn.execute(select(Like.post_id)).scalars())
        liked_posts = conn.execute(
            select(Post.id, Post.like_count).where(Post.like_count > 0)
        ).all()
    assert {post_id: count for post_id, count in liked_posts} == dict(likes)
    assert summary.requests_by_endpoint["GET /post_action_users.json"] == len(liked_posts)
    some = liked_posts[0][0]
    with mirror_engine.connect() as conn:
        users = set(conn.execute(select(Like.user_id).where(Like.post_id == some)).scalars())
    assert users == {action.user_id for action in forum.likes_of(forum.posts[some])}


def test_polls_keep_aggregate_counts_only(mirror_engine, sandbox_api, sandbox_server):
    sync(mirror_engine, sandbox_api)

    forum = sandbox_server.state
    with mirror_engine.connect() as conn:
        mirrored = conn.execute(select(Poll.id, Poll.post_id, Poll.name, Poll.voters)).all()
        options = conn.execute(select(PollOption.poll_id, PollOption.option_id, PollOption.votes))
        votes_by_poll: dict[int, dict[str, int]] = {}
        for poll_id, option_id, votes in options:
            votes_by_poll.setdefault(poll_id, {})[option_id] = votes
    assert mirrored, "the generated network has polls"
    for poll_id, post_id, name, voters in mirrored:
        poll = next(poll for poll in forum.posts[post_id].polls if (poll.name or "poll") == name)
        assert voters == len(poll.votes)
        assert votes_by_poll[poll_id] == {
            option.id: sum(option.id in choice for choice in poll.votes.values())
            for option in poll.options
        }


def test_default_window_reconciles_recent_topics_only(mirror_engine, sandbox_api, sandbox_server):
    sync(mirror_engine, sandbox_api)
    forum = sandbox_server.state
    month_ago = datetime.now(UTC) - timedelta(days=31)
    old_topics = [
        topic
        for topic in sorted(forum.topics.values(), key=lambda topic: topic.id)
        if forum.is_counted_topic(topic) and not topic.pinned and topic.bumped_at < month_ago
    ]
    quiet, bumped = old_topics[0], old_topics[1]  # both last bumped over a month ago
    liked_quiet, liked_bumped = (forum.posts[topic.post_ids[0]] for topic in (quiet, bumped))
    likers = [user for user in forum.users.values() if user.id > 0 and not user.staged]
    for post in (liked_quiet, liked_bumped):
        liked_by = {action.user_id for action in forum.likes_of(post)} | {post.user_id}
        fresh = next(user for user in likers if user.id not in liked_by)
        forum.add_action(post, fresh, LIKE)
    forum.create_post(likers[0], bumped, "Une réponse qui remonte le sujet.")

    summary = sync(mirror_engine, sandbox_api, SyncOptions())  # reconcile_days = 30

    assert like_counts(mirror_engine, liked_quiet, liked_bumped) == (
        len(forum.likes_of(liked_quiet)) - 1,  # outside the window: seen by a wider sync
        len(forum.likes_of(liked_bumped)),
    )
    assert summary.requests_by_endpoint["GET /latest.json"] == 1
    sync(mirror_engine, sandbox_api)  # reconcile_days = 3650
    assert like_counts(mirror_engine, liked_quiet)[0] == len(forum.likes_of(liked_quiet))


def like_counts(mirror_engine, *posts) -> tuple[int, ...]:
    with mirror_engine.connect() as conn:
        counts = dict(
            conn.execute(
                select(Post.id, Post.like_count).where(Post.id.in_([post.id for post in posts]))
            ).all()
        )
    return tuple(counts[post.id] for post in posts)


def test_likers_are_read_only_for_posts_whose_count_changed(
    mirror_engine, sandbox_api, sandbox_server
):
    first = sync(mirror_engine, sandbox_api)  # fetch_likers off: no liker request, no liker row
    liked = {post_id for post_id, _user in apply(sandbox_server.state, seed=5, likes=12)["likes"]}

    summary = sync(mirror_engine, sandbox_api, SyncOptions(reconcile_days=3650, fetch_likers=True))

    forum = sandbox_server.state
    with mirror_engine.connect() as conn:
        likes = set(conn.execute(select(Like.post_id, Like.user_id)).all())
    assert "GET /post_action_users.json" not in first.requests_by_endpoint
    assert summary.requests_by_endpoint["GET /post_action_users.json"] == len(liked)
    assert likes == {
        (post_id, action.user_id)
        for post_id in liked
        for action in forum.likes_of(forum.posts[post_id])
    }


def test_long_names_and_nul_characters_are_mirrored(mirror_engine, sandbox_api, sandbox_server):
    """What Discourse sends is stored: a 300-character category name, NUL in a name (which
    PostgreSQL cannot hold in text: it becomes U+FFFD) never stops the sync."""
    forum = sandbox_server.state
    with forum.lock:
        category = next(c for c in forum.categories.values() if c.parent_category_id is None)
        category.name = "Coopérative " + "très " * 58
        user = next(u for u in forum.users.values() if u.id > 0 and not u.staged)
        user.name = "Ma\x00rie"
        group = next(g for g in forum.groups.values() if not g.automatic)
        group.full_name = "Groupe \x00 " + "x" * 300
    sync(mirror_engine, sandbox_api)
    with mirror_engine.connect() as conn:
        names = dict(conn.execute(select(Category.id, Category.name)).all())
        user_name = conn.execute(select(User.name).where(User.id == user.id)).scalar_one()
        full_name = conn.execute(select(Group.full_name).where(Group.id == group.id)).scalar_one()
    assert names[category.id] == category.name and len(category.name) > 255
    assert user_name == "Ma\ufffdrie"
    assert full_name.startswith("Groupe \ufffd ") and len(full_name) > 300
