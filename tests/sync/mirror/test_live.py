"""The live mirror: sandbox webhook deliveries applied to the mirror, on SQLite and PostgreSQL.

The deliveries come over real HTTP from the sandbox to a small receiver that does what the web
view does after the signature check (`parse_event`, then `LiveMirror.apply`); the web view
itself is tested in tests/web.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError

from sandbox.state import LIKE
from sandbox.views import basic_user
from sandbox.webhook_payloads import group_user_payload, post_payload, topic_payload
from sync.mirror import live as live_module
from sync.mirror.db import connect
from sync.mirror.live import Event, InvalidEvent, LiveMirror, parse_event
from sync.mirror.pull import SyncOptions
from sync.mirror.schema import (
    Like,
    Membership,
    Post,
    Solution,
    SyncState,
    Topic,
    User,
    WebhookEvent,
)
from sync.mirror.stats import mirror_stats
from sync.mirror.steps import checks
from tests.support.clock import FIXTURE_NOW
from tests.support.mirror import counts, dump, sync

pytestmark = pytest.mark.integration

#: what the webhook-fed mirror must share with a mirror freshly synced from the same forum
COMPARED = ("posts", "solutions", "group_memberships", "likes")


class Receiver:
    """Applies every delivery it receives to `live` (the web view minus the signature check)."""

    def __init__(self, live: LiveMirror):
        self.outcomes: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = parse_event(
                    self.headers["X-Discourse-Event-Id"],
                    self.headers["X-Discourse-Event-Type"],
                    self.headers["X-Discourse-Event"],
                    body,
                )
                receiver.outcomes.append(live.apply(event))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/discourse"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def synced(mirror_engine, sandbox_api):
    """The mirror after a first full sync of the sandbox (what a webhook-fed mirror starts from)."""
    sync(mirror_engine, sandbox_api)
    return mirror_engine


@pytest.fixture
def live(synced, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api)
    yield mirror
    mirror.stop()


@pytest.fixture
def receiver(live, sandbox_server):
    endpoint = Receiver(live)
    sandbox_server.configure_webhooks(endpoint.url, "secret-de-test", retry_seconds=[0.1] * 4)
    yield endpoint
    endpoint.close()


def settle(sandbox_server, live) -> None:
    assert sandbox_server.wait_webhooks(30)
    assert live.wait_idle(30)


def fresh_dump(sandbox_api, tmp_path) -> dict:
    engine = connect(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        sync(engine, sandbox_api)
        return dump(engine)
    finally:
        engine.dispose()


def test_the_mirror_follows_the_forum_without_any_sync(
    synced, live, receiver, sandbox_server, sandbox_api, tmp_path
):
    sandbox_server.activity(
        seed=5,
        new_posts=25,
        edits=6,
        deletes=4,
        accepts=3,
        likes=12,
        unaccepts=2,
        joins=3,
        leaves=2,
        new_users=2,
    )
    settle(sandbox_server, live)

    assert counts(synced) == sandbox_server.truth()
    expected = fresh_dump(sandbox_api, tmp_path)
    mirrored = dump(synced)
    for table in COMPARED:
        assert mirrored[table] == expected[table], table


def test_a_deleted_then_recovered_topic_follows_the_forum(synced, live, receiver, sandbox_server):
    forum = sandbox_server.state
    topic = next(t for t in forum.topics.values() if forum.is_counted_topic(t))
    first = forum.topic_posts(topic)[0]
    forum.delete_post(first)  # deleting the first post deletes the topic, like Discourse
    settle(sandbox_server, live)
    assert counts(synced) == sandbox_server.truth()
    with synced.connect() as conn:
        assert conn.execute(select(Topic.deleted_at).where(Topic.id == topic.id)).scalar()

    forum.recover_post(first)
    settle(sandbox_server, live)
    assert counts(synced) == sandbox_server.truth()
    with synced.connect() as conn:
        assert conn.execute(select(Topic.deleted_at).where(Topic.id == topic.id)).scalar() is None


def test_replaying_every_delivery_changes_nothing(synced, live, receiver, sandbox_server):
    sandbox_server.activity(seed=6, new_posts=10, edits=3, deletes=2, accepts=1, likes=4)
    settle(sandbox_server, live)
    before = dump(synced)
    applied = len(receiver.outcomes)

    sandbox_server.sandbox.webhooks.replay()
    settle(sandbox_server, live)

    assert receiver.outcomes[applied:] == ["duplicate"] * applied
    assert dump(synced) == before


def test_stats_say_when_the_last_event_came(synced, live, receiver, sandbox_server):
    assert mirror_stats(synced)["last_webhook"] is None
    sandbox_server.activity(seed=7, new_posts=1)
    settle(sandbox_server, live)
    assert mirror_stats(synced)["last_webhook"] is not None


def _event(event_id: int, name: str, kind: str, payload: dict) -> Event:
    return parse_event(str(event_id), kind, name, json.dumps({kind: payload}).encode())


def _live_reply(forum):
    return next(
        post
        for post in forum.posts.values()
        if post.post_number > 1
        and post.deleted_at is None
        and forum.is_counted_topic(forum.topics[post.topic_id])
    )


def test_a_forged_deletion_never_deletes(synced, live, sandbox_server, sandbox_api):
    post = _live_reply(sandbox_server.state)
    forged = {"id": post.id, "topic_id": post.topic_id, "post_number": post.post_number}
    forged["created_at"] = "2026-01-01T00:00:00.000Z"
    forged["deleted_at"] = "2026-01-02T00:00:00.000Z"

    assert live.apply(_event(10_000, "post_destroyed", "post", forged)) == "queued"
    assert live.wait_idle(30)

    with synced.connect() as conn:
        assert conn.execute(select(Post.deleted_at).where(Post.id == post.id)).scalar() is None


def test_a_forged_unaccept_keeps_the_solution(synced, live, sandbox_server):
    forum = sandbox_server.state
    topic = next(
        t for t in forum.topics.values() if t.accepted_answer_post_id and t.deleted_at is None
    )
    answer = forum.posts[topic.accepted_answer_post_id]
    payload = {
        "id": answer.id,
        "topic_id": topic.id,
        "post_number": answer.post_number,
        "created_at": "2026-01-01T00:00:00.000Z",
    }

    live.apply(_event(10_001, "unaccepted_solution", "solved", payload))
    assert live.wait_idle(30)

    with synced.connect() as conn:
        stored = conn.execute(select(Solution.post_id).where(Solution.topic_id == topic.id))
        assert stored.scalar() == answer.id


def test_a_forged_removal_from_a_group_keeps_the_membership(synced, live, sandbox_server):
    forum = sandbox_server.state
    group = next(g for g in forum.groups.values() if not g.automatic and g.members)
    user_id = next(iter(group.members))

    live.apply(
        _event(
            10_002,
            "user_removed_from_group",
            "group_user",
            {"group_id": group.id, "user_id": user_id},
        )
    )
    assert live.wait_idle(30)

    with synced.connect() as conn:
        kept = conn.execute(
            select(Membership).where(Membership.group_id == group.id, Membership.user_id == user_id)
        )
        assert kept.first() is not None


def test_an_older_edit_never_overwrites_a_newer_one(synced, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    with synced.connect() as conn:
        stored = conn.execute(select(Post).where(Post.post_number > 1).limit(1)).one()
    old = {
        "id": stored.id,
        "topic_id": stored.topic_id,
        "post_number": stored.post_number,
        "created_at": "2025-01-01T00:00:00.000Z",
        "updated_at": "2025-01-01T00:00:00.000Z",
        "version": stored.version,
    }

    assert mirror.apply(_event(10_003, "post_edited", "post", old)) == "ignored"


def test_a_seen_event_id_is_a_duplicate_and_writes_nothing(synced, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    with synced.connect() as conn:
        stored = conn.execute(select(Topic).where(Topic.archetype == "regular").limit(1)).one()
    payload = {
        "id": stored.id,
        "title": "Un nouveau titre pour ce sujet",
        "created_at": "2026-01-01T00:00:00Z",
    }

    assert mirror.apply(_event(42, "topic_edited", "topic", payload)) == "applied"
    with synced.begin() as conn:
        conn.execute(update(Topic).where(Topic.id == stored.id).values(title="changé à la main"))
    assert mirror.apply(_event(42, "topic_edited", "topic", payload)) == "duplicate"

    with synced.connect() as conn:
        assert (
            conn.execute(select(Topic.title).where(Topic.id == stored.id)).scalar()
            == "changé à la main"
        )
        assert conn.execute(select(WebhookEvent.event_id)).scalars().all() == [42]


def _like_everything(forum, posts, mirror, first_id: int) -> list[str]:
    """One like on each post by someone who wrote none of them, delivered to `mirror`."""
    liker = next(
        u for u in forum.users.values() if u.id > 0 and all(p.user_id != u.id for p in posts)
    )
    outcomes = []
    for index, post in enumerate(posts):
        forum.add_action(post, liker, 2)
        like = {"post": post_payload(forum, post), "user": basic_user(liker)}
        body = json.dumps({"like": like}).encode()
        outcomes.append(
            mirror.apply(parse_event(str(first_id + index), "like", "post_liked", body))
        )
    return outcomes


def _busiest_topic_posts(forum, count: int) -> list:
    topic = max(
        (t for t in forum.topics.values() if forum.is_counted_topic(t)),
        key=lambda t: len(forum.topic_posts(t, with_deleted=False)),
    )
    return forum.topic_posts(topic, with_deleted=False)[:count]


def _like_counts(engine, posts) -> dict[int, int]:
    with engine.connect() as conn:
        query = select(Post.id, Post.like_count).where(Post.id.in_([p.id for p in posts]))
        return dict(conn.execute(query).all())


def test_likes_are_read_from_the_forum_one_request_per_topic(synced, sandbox_server, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    forum = sandbox_server.state
    posts = _busiest_topic_posts(forum, 5)
    assert _like_everything(forum, posts, mirror, 500) == ["queued"] * 5
    sandbox_server.reset_stats()

    mirror.run_pending()

    assert sandbox_server.stats()["routes"] == {"GET /t/{id}/posts.json": 1}
    assert _like_counts(synced, posts) == {p.id: len(forum.likes_of(p)) for p in posts}


def test_posts_the_mirror_lacks_are_read_through_one_request_per_topic(
    synced, sandbox_server, sandbox_api
):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    forum = sandbox_server.state
    posts = _busiest_topic_posts(forum, 15)
    with synced.begin() as conn:
        conn.execute(delete(Post).where(Post.id.in_([p.id for p in posts])))
    assert _like_everything(forum, posts, mirror, 600) == ["queued"] * 15
    sandbox_server.reset_stats()

    mirror.run_pending()

    assert sandbox_server.stats()["routes"] == {"GET /t/{id}/posts.json": 1}
    assert _like_counts(synced, posts) == {p.id: len(forum.likes_of(p)) for p in posts}


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        (("x", "post", "post_created"), b"{}", "X-Discourse-Event-Id"),
        (("²", "post", "post_created"), b"{}", "X-Discourse-Event-Id"),
        (("9" * 19, "post", "post_created"), b"{}", "X-Discourse-Event-Id"),
        (("1", "category", "category_created"), b"{}", "category_created"),
        (("1", "topic", "post_created"), b"{}", "post_created"),
        (("1", "post", "post_created"), b"{not json", "JSON"),
        (("1", "post", "post_created"), b'{"topic": {}}', "post"),
        (("1", "post", "post_created"), b'{"post": {"id": 3}}', "topic_id"),
    ],
)
def test_unusable_deliveries_are_refused_with_the_reason(headers, body, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(*headers, body)


def _clocked(synced, sandbox_api) -> tuple[LiveMirror, dict]:
    clock = {"now": datetime(2026, 1, 1)}
    mirror = LiveMirror(synced, lambda: sandbox_api, clock=lambda: clock["now"], background=False)
    return mirror, clock


def test_seen_ids_are_forgotten_after_the_retention(synced, sandbox_api):
    mirror, clock = _clocked(synced, sandbox_api)
    payload = {"id": 1, "username": "quelquun"}
    mirror.apply(_event(7, "user_updated", "user", payload))
    clock["now"] += timedelta(days=1)
    assert mirror.apply(_event(7, "user_updated", "user", payload)) == "duplicate"
    clock["now"] += timedelta(days=40)
    mirror.apply(_event(8, "user_updated", "user", payload))

    with synced.connect() as conn:
        assert conn.execute(select(WebhookEvent.event_id)).scalars().all() == [8]
        assert (
            conn.execute(select(SyncState).where(SyncState.key == "webhook.floor")).first() is None
        )


def test_no_event_id_however_large_stops_later_deliveries(synced, sandbox_api):
    mirror, clock = _clocked(synced, sandbox_api)
    payload = {"id": 1, "username": "quelquun"}
    assert mirror.apply(_event(10**18 - 1, "user_updated", "user", payload)) == "applied"
    clock["now"] += timedelta(days=40)
    assert mirror.apply(_event(1000, "user_updated", "user", payload)) == "applied"
    clock["now"] += timedelta(days=40)

    for event_id in (1001, 1500, 2000):
        assert mirror.apply(_event(event_id, "user_updated", "user", payload)) == "applied"


def _like_body(forum, post) -> bytes:
    """A like on `post` by someone else, recorded in the forum: the body Discourse would sign."""
    liker = next(
        u
        for u in forum.users.values()
        if u.id > 0
        and u.id != post.user_id
        and all(a.user_id != u.id for a in forum.likes_of(post))
    )
    forum.add_action(post, liker, 2)
    return json.dumps(
        {"like": {"post": post_payload(forum, post), "user": basic_user(liker)}}
    ).encode()


@pytest.mark.parametrize("fetch_likers", [False, True], ids=["counts", "likers"])
def test_a_like_replayed_under_new_event_ids_counts_once(
    synced, sandbox_server, sandbox_api, fetch_likers
):
    options = SyncOptions(fetch_likers=fetch_likers)
    mirror = LiveMirror(synced, lambda: sandbox_api, options, background=False)
    forum = sandbox_server.state
    (post,) = _busiest_topic_posts(forum, 1)
    body = _like_body(forum, post)

    for event_id in (700, 701, 702, 703):  # the same signed body, a new id each time
        mirror.apply(parse_event(str(event_id), "like", "post_liked", body))
    mirror.run_pending()

    assert _like_counts(synced, [post]) == {post.id: len(forum.likes_of(post))}
    if fetch_likers:
        liker = json.loads(body)["like"]["user"]["id"]
        with synced.connect() as conn:
            likers = conn.execute(select(Like.user_id).where(Like.post_id == post.id))
            assert liker in likers.scalars().all()


def _nested(depth: int) -> bytes:
    return b'{"post": {"id": 1, "topic_id": 1, "post_number": 1, "raw": ' + (
        b"[" * depth + b"]" * depth + b', "created_at": "2026-01-01T00:00:00Z"}}'
    )


def _post(**fields) -> bytes:
    post = {"id": 1, "topic_id": 1, "post_number": 2, "created_at": "2026-01-01T00:00:00Z"}
    return json.dumps({"post": post | fields}).encode()


#: the event each body type comes with
NAMES = {"post": "post_created", "like": "post_liked", "group_user": "user_added_to_group"}
LIKE_OF_ID = (
    b'{"like": {"post": {"id": 1, "topic_id": 1, "post_number": 1,'
    b' "created_at": "2026-01-01T00:00:00Z"}, "user": {"id": 1e30}}}'
)


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        ("post", _nested(100_000), "JSON"),
        ("post", b'{"post": {"id": ' + b"1" * 5000 + b"}}", "JSON"),
        ("post", _post(id=10**30), "« id »"),
        ("post", _post(topic_id=-(10**30)), "« topic_id »"),
        ("post", _post(user_id=2**31), "« user_id »"),
        ("post", _post(id="12"), "« id »"),
        ("post", _post(id=1.5), "« id »"),
        ("post", _post(topic_id=True), "« topic_id »"),
        ("post", _post(reply_to_post_number=[1]), "« reply_to_post_number »"),
        ("like", LIKE_OF_ID, "« id »"),
        (
            "group_user",
            b'{"group_user": {"group_id": 1, "user_id": 1' + b"0" * 30 + b"}}",
            "user_id",
        ),
    ],
    ids=[
        "deep",
        "5000-digits",
        "huge-id",
        "huge-topic",
        "int32-user",
        "text-id",
        "float-id",
        "bool-id",
        "list-id",
        "float-liker",
        "huge-member",
    ],
)
def test_a_malformed_signed_body_is_refused_with_a_reason(kind, body, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event("1", kind, NAMES[kind], body)


def test_a_value_the_database_cannot_hold_is_refused_and_writes_nothing(synced, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    before = dump(synced)
    event = Event(5, "user", "user_updated", {"id": 10**30, "username": "trop-grand"})

    with pytest.raises(InvalidEvent):
        mirror.apply(event)

    assert dump(synced) == before


def test_a_write_refused_by_a_concurrent_writer_is_tried_again(synced, sandbox_api, monkeypatch):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    original = mirror._apply_once
    calls = []

    def busy_once(event):
        calls.append(event.event_id)
        if len(calls) == 1:
            raise OperationalError("BEGIN", {}, Exception("database is locked"))
        return original(event)

    monkeypatch.setattr(mirror, "_apply_once", busy_once)
    payload = {"id": 1, "username": "quelquun"}
    assert mirror.apply(_event(77, "user_updated", "user", payload)) == "applied"
    assert calls == [77, 77]


def test_a_suspension_is_read_from_the_forum(synced, live, sandbox_server):
    forum = sandbox_server.state
    user = next(u for u in forum.users.values() if u.id > 0 and u.suspended_till is None)
    with forum.lock:
        user.suspended_till = datetime(2099, 1, 1, tzinfo=UTC)

    assert (
        live.apply(
            _event(10_010, "user_suspended", "user", {"id": user.id, "username": user.username})
        )
        == "queued"
    )
    assert live.wait_idle(30)

    with synced.connect() as conn:
        assert conn.execute(select(User.suspended).where(User.id == user.id)).scalar() is True


def test_a_forged_account_deletion_deletes_nobody(synced, live, sandbox_server):
    user = next(u for u in sandbox_server.state.users.values() if u.id > 0 and not u.staged)

    live.apply(_event(10_011, "user_destroyed", "user", {"id": user.id, "username": user.username}))
    assert live.wait_idle(30)

    with synced.connect() as conn:
        assert conn.execute(select(User.deleted).where(User.id == user.id)).scalar() is False


def test_events_that_change_nothing_mirrored_are_answered_without_writing(synced, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    before = dump(synced)
    assert mirror.apply(_event(10_012, "user_logged_in", "user", {"id": 3})) == "ignored"
    assert dump(synced) == before


def test_a_topic_status_change_updates_the_topic(synced, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    with synced.connect() as conn:
        stored = conn.execute(select(Topic).where(Topic.closed.is_(False)).limit(1)).one()
    payload = {"id": stored.id, "title": stored.title, "created_at": "2026-01-01T00:00:00Z"}
    payload["closed"] = True
    assert (
        mirror.apply(_event(10_013, "topic_closed_status_updated", "topic", payload)) == "applied"
    )
    with synced.connect() as conn:
        assert conn.execute(select(Topic.closed).where(Topic.id == stored.id)).scalar() is True


def test_a_new_member_joining_groups_gets_a_cooperative_and_a_role(
    synced, live, receiver, sandbox_server
):
    forum = sandbox_server.state
    cooperative = next(
        g for g in forum.groups.values() if not g.automatic and forum.category_by_slug(g.name)
    )
    with forum.lock:
        user = forum.add_user("nouvelle-directrice", "nd@example.org")
        forum.add_members(cooperative, [user.id])
        forum.add_members(forum.group_by_name("directions"), [user.id])
    settle(sandbox_server, live)

    with synced.connect() as conn:
        row = conn.execute(select(User.cooperative, User.role).where(User.id == user.id)).one()
    assert tuple(row) == (cooperative.name, "direction")


def test_private_messages_never_enter_the_mirror(synced, live, receiver, sandbox_server):
    forum = sandbox_server.state
    with forum.lock:
        alice, bob = [u for u in forum.users.values() if u.id > 0 and not u.staged][:2]
        first = forum.create_topic(
            alice,
            "Un message privé entre deux membres",
            "Bonjour, je voulais te demander conseil en privé sur un client.",
            archetype="private_message",
            allowed_user_ids=[alice.id, bob.id],
        )
        reply = forum.create_post(
            bob, forum.topics[first.topic_id], "Avec plaisir, appelle-moi demain matin."
        )
        forum.add_action(first, bob, 2)
        forum.delete_post(reply)
        forum.delete_post(first)
    settle(sandbox_server, live)

    with synced.connect() as conn:
        assert conn.execute(select(Topic.id).where(Topic.id == first.topic_id)).first() is None
        assert conn.execute(select(Post.id).where(Post.topic_id == first.topic_id)).first() is None


def test_a_lost_deletion_is_still_found_by_the_next_sync(synced, sandbox_server, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    forum = sandbox_server.state
    reply = _live_reply(forum)
    topic = forum.topics[reply.topic_id]
    forum.delete_post(reply)  # its delivery is lost: no webhook is configured
    edited = json.dumps({"topic": topic_payload(forum, topic)}).encode()
    assert mirror.apply(parse_event("10020", "topic", "topic_edited", edited)) == "applied"

    sync(synced, sandbox_api)

    assert counts(synced) == sandbox_server.truth()


def test_a_join_replayed_after_the_member_left_restores_nothing(
    synced, sandbox_server, sandbox_api
):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    forum = sandbox_server.state
    group = next(g for g in forum.groups.values() if not g.automatic and g.members)
    user_id = next(iter(group.members))
    captured = json.dumps({"group_user": group_user_payload(forum, group, user_id)}).encode()
    forum.remove_members(group, [user_id])
    sync(synced, sandbox_api)

    mirror.apply(parse_event("800", "group_user", "user_added_to_group", captured))
    mirror.run_pending()

    with synced.connect() as conn:
        kept = conn.execute(
            select(Membership).where(Membership.group_id == group.id, Membership.user_id == user_id)
        )
        assert kept.first() is None


def test_an_answer_accepted_again_by_a_replay_stays_unaccepted(synced, sandbox_server, sandbox_api):
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False)
    forum = sandbox_server.state
    topic = next(
        t for t in forum.topics.values() if t.accepted_answer_post_id and t.deleted_at is None
    )
    answer = forum.posts[topic.accepted_answer_post_id]
    captured = json.dumps({"solved": post_payload(forum, answer)}).encode()
    forum.unaccept_answer(topic)
    sync(synced, sandbox_api)

    mirror.apply(parse_event("801", "solved", "accepted_solution", captured))
    mirror.run_pending()

    with synced.connect() as conn:
        assert conn.execute(select(Solution).where(Solution.topic_id == topic.id)).first() is None
        assert (
            conn.execute(select(Post.accepted_answer).where(Post.id == answer.id)).scalar() is False
        )


def _old_topic_posts(forum, before: datetime) -> tuple:
    """A live reply and another live post, in counted topics last bumped before `before`."""
    old = [
        topic
        for topic in sorted(forum.topics.values(), key=lambda t: t.id)
        if forum.is_counted_topic(topic) and topic.bumped_at < before
    ]
    posts = [
        post
        for topic in old
        for post in forum.topic_posts(topic, with_deleted=False)
        if post.post_number > 1 and post.user_id > 0
    ]
    return posts[0], next(p for p in posts if p.topic_id != posts[0].topic_id)


def test_a_failed_check_stays_recorded_and_the_next_incremental_sync_does_it(
    synced, live, receiver, sandbox_server, sandbox_api, caplog
):
    """Issue 23: a check batch that failed was dropped, and the incremental sync (which walks
    only the topics bumped within `reconcile_days`) never saw the deletion nor the like."""
    now = FIXTURE_NOW.replace(tzinfo=None)
    forum = sandbox_server.state
    deleted, liked = _old_topic_posts(forum, FIXTURE_NOW - timedelta(days=90))
    liker = next(
        u for u in forum.users.values() if u.id > 0 and u.id not in (deleted.user_id, liked.user_id)
    )
    sandbox_server.set_faults(unavailable=1.0)  # the forum's API answers 503 to every request
    forum.delete_post(deleted)
    forum.add_action(liked, liker, LIKE)
    assert sandbox_server.wait_webhooks(30)
    deadline = time.monotonic() + 30
    while "Vérification d'événements webhook impossible" not in caplog.text:
        assert time.monotonic() < deadline, "the background check never ran"
        time.sleep(0.05)
    live.stop()  # the web service stops before it could try again
    sandbox_server.set_faults()
    assert checks.pending(synced) == 2
    assert counts(synced) != sandbox_server.truth()

    summary = sync(synced, sandbox_api, SyncOptions(reconcile_days=30), clock=lambda: now)

    assert not summary.full
    assert checks.pending(synced) == 0
    assert counts(synced) == sandbox_server.truth()
    with synced.connect() as conn:
        assert conn.execute(select(Post.deleted_at).where(Post.id == deleted.id)).scalar()
    assert _like_counts(synced, [liked]) == {liked.id: len(forum.likes_of(liked))}


def test_a_check_the_forum_refuses_is_tried_again_by_the_web_service(
    synced, sandbox_server, sandbox_api, monkeypatch
):
    monkeypatch.setattr(live_module, "RETRY_FIRST_SECONDS", 0.2)
    mirror = LiveMirror(synced, lambda: sandbox_api)
    try:
        forum = sandbox_server.state
        _, liked = _old_topic_posts(forum, FIXTURE_NOW - timedelta(days=90))
        body = _like_body(forum, liked)
        sandbox_server.set_faults(sequence=["unavailable"] * 12)  # beyond the client's retries
        assert mirror.apply(parse_event("10900", "like", "post_liked", body)) == "queued"
        assert mirror.wait_idle(30)
        assert _like_counts(synced, [liked]) == {liked.id: len(forum.likes_of(liked))}
    finally:
        mirror.stop()
        sandbox_server.set_faults()


def test_an_accepted_solution_delivery_dates_the_solution_and_a_replay_never_moves_it(
    synced, sandbox_server, sandbox_api
):
    arrival = [datetime(2026, 7, 4, 9, 0, 5)]
    mirror = LiveMirror(synced, lambda: sandbox_api, background=False, clock=lambda: arrival[0])
    forum = sandbox_server.state
    topic = next(
        t
        for t in forum.topics.values()
        if forum.is_counted_topic(t)
        and t.accepted_answer_post_id is None
        and any(p.user_id != t.user_id for p in forum.topic_posts(t, with_deleted=False)[1:])
    )
    answer = next(
        p for p in forum.topic_posts(topic, with_deleted=False)[1:] if p.user_id != topic.user_id
    )
    forum.accept_answer(answer, forum.users[topic.user_id])
    delivery = json.dumps({"solved": post_payload(forum, answer)}).encode()

    mirror.apply(parse_event("901", "solved", "accepted_solution", delivery))
    mirror.run_pending()
    arrival[0] = datetime(2026, 9, 1, 12, 0)
    mirror.apply(parse_event("902", "solved", "accepted_solution", delivery))  # replayed
    mirror.run_pending()

    with synced.connect() as conn:
        dated = conn.execute(
            select(Solution.accepted_at, Solution.acceptance_source).where(
                Solution.topic_id == topic.id
            )
        ).one()
    assert tuple(dated) == (datetime(2026, 7, 4, 9, 0, 5), "webhook")
