"""The network indicators against an independent implementation of their published definitions.

The sandbox's synthetic network is synced into a real SQLite mirror and the report model computes
the month's network figures; this test recomputes them in plain Python from the sandbox's own
objects (the forum's truth, not the mirror), following the definitions of `analytics.catalogue`
word for word: counted posts are regular posts (type 1), not deleted, in a live regular topic, by
a real account; months and nights are cut in Paris time.
"""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analytics.indicators import Activity
from reports.render import build_model
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

pytestmark = pytest.mark.integration

MONTH = "2026-10"
PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 10, 1, tzinfo=PARIS).astimezone(UTC)
END = datetime(2026, 11, 1, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def computed(tmp_path, sandbox_server):
    from tests.reports.test_browser import synthetic_network_mirror

    server = sandbox_server
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    synthetic_network_mirror(server, url)
    model = build_model(
        Activity(load_forum(connect(url))), MONTH, now=datetime(2026, 11, 2, tzinfo=UTC)
    )
    return server.state, {row.id: row for row in model.network.rows}


def truth(state):
    """The forum's counted posts and topics, and the members' cooperative, from the sandbox."""
    slugs = {c.slug for c in state.categories.values() if c.parent_category_id is None} & {
        g.name for g in state.groups.values()
    }
    coop_of = {}
    for group in state.groups.values():
        if group.name in slugs:
            for user_id in state.group_member_ids(group):
                coop_of[user_id] = group.name
    members = {
        uid for uid in coop_of if uid > 0 and uid in state.users and not state.users[uid].staged
    }
    topics = {
        t.id: t
        for t in state.topics.values()
        if t.archetype == "regular" and t.deleted_at is None and t.user_id > 0
    }
    posts = [
        p
        for p in state.posts.values()
        if p.post_type == 1 and p.deleted_at is None and p.topic_id in topics and p.user_id > 0
    ]
    return members, topics, posts


def in_month(moment: datetime) -> bool:
    return START <= moment < END


def after_hours(moment: datetime) -> bool:
    local = moment.astimezone(PARIS)
    return local.hour >= 20 or local.hour < 7 or local.weekday() >= 5


def test_participation_figures(computed):
    state, rows = computed
    members, topics, posts = truth(state)
    month_posts = [p for p in posts if in_month(p.created_at)]
    assert rows["members"].value == len(members)
    assert rows["active_members"].value == len({p.user_id for p in month_posts} & members)
    assert rows["topics"].value == sum(in_month(t.created_at) for t in topics.values())
    assert rows["replies"].value == sum(p.post_number > 1 for p in month_posts)


def first_responses(topics, posts) -> dict[int, datetime]:
    """Each topic's first reply by someone other than its author."""
    first: dict[int, datetime] = {}
    for post in sorted(posts, key=lambda p: (p.created_at, p.id)):
        topic = topics[post.topic_id]
        if post.post_number > 1 and post.user_id != topic.user_id:
            first.setdefault(post.topic_id, post.created_at)
    return first


def test_mutual_aid_figures(computed):
    state, rows = computed
    _, topics, posts = truth(state)
    questions = [
        t
        for t in topics.values()
        if in_month(t.created_at) and state.categories[t.category_id].accepts_answers
    ]
    first = first_responses(topics, posts)
    delays = [first[q.id] - q.created_at for q in questions if q.id in first]
    assert rows["questions"].value == len(questions)
    within = sum(d <= timedelta(hours=48) for d in delays)
    assert rows["answered_48h"].value == pytest.approx(within / len(questions))
    hours = statistics.median(d.total_seconds() / 3600 for d in delays)
    assert rows["first_response_hours"].value == pytest.approx(hours)
    open_at_end = sum(q.id not in first or first[q.id] >= END for q in questions)
    assert rows["unanswered"].value == open_at_end


def test_working_time_and_load_figures(computed):
    state, rows = computed
    members, _, posts = truth(state)
    mine = [p for p in posts if in_month(p.created_at) and p.user_id in members]
    assert rows["after_hours"].value == pytest.approx(
        sum(after_hours(p.created_at) for p in mine) / len(mine)
    )
    replies: dict[int, int] = {}
    for post in mine:
        if post.post_number > 1:
            replies[post.user_id] = replies.get(post.user_id, 0) + 1
    counts = sorted(replies.values(), reverse=True)
    total = sum(counts)
    top = counts[: math.ceil(0.10 * len(counts))]
    assert rows["top_decile_share"].value == pytest.approx(sum(top) / total)
    running, people = 0, 0
    while running < total / 2:
        running += counts[people]
        people += 1
    assert rows["absence_factor"].value == people
