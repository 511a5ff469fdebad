"""Real clients work unchanged against the sandbox: pydiscourse 1.7.0 and perceval's backend."""

from __future__ import annotations

import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError

pytestmark = pytest.mark.integration


@pytest.fixture
def client(sandbox_server) -> DiscourseClient:
    return DiscourseClient(
        sandbox_server.url, api_username="system", api_key=sandbox_server.api_key
    )


def test_latest_posts_pages_with_before(client):
    first = client.latest_posts()["latest_posts"]
    second = client.latest_posts(before=first[-1]["id"] - 1)["latest_posts"]
    assert len(first) == 50
    assert second[0]["id"] < first[-1]["id"]


def test_topic_by_slug_and_id(client, sandbox_server):
    topic = sandbox_server.state.topics[3]
    body = client.topic(topic.slug, topic.id)
    assert (body["id"], body["title"]) == (topic.id, topic.title)


def test_posts_by_ids(client, sandbox_server):
    topic = next(t for t in sandbox_server.state.topics.values() if len(t.post_ids) >= 3)
    body = client.posts(topic.id, post_ids=topic.post_ids[1:3])
    assert [post["id"] for post in body["post_stream"]["posts"]] == topic.post_ids[1:3]


def test_categories_lists_top_level_only(client, sandbox_server):
    top_level = {
        c.id for c in sandbox_server.state.categories.values() if c.parent_category_id is None
    }
    assert {category["id"] for category in client.categories()} == top_level


def test_create_category_with_parent_name(client, sandbox_server):
    created = client.create_category(
        "Outils numériques", "00aaff", permissions={"staff": 1}, parent="Campus"
    )
    category = sandbox_server.state.categories[created["category"]["id"]]
    assert category.parent_category_id == sandbox_server.state.category_by_slug("campus").id


def test_create_group_then_add_and_list_members(client, sandbox_server):
    group = client.create_group("mentors")["basic_group"]
    usernames = sorted(u.username for u in sandbox_server.state.users.values() if u.id > 0)[:3]
    client.add_group_members(group["id"], usernames)
    assert sorted(member["username"] for member in client.group_members("mentors")) == usernames


def test_group_members_auto_paginates_large_group(client, sandbox_server):
    expected = len(sandbox_server.state.group_by_name("entrepreneurs").members)
    assert len(client.group_members("entrepreneurs")) == expected


def test_adding_existing_members_raises_client_error(client, sandbox_server):
    group = sandbox_server.state.group_by_name("entrepreneurs")
    username = sandbox_server.state.users[next(iter(group.members))].username
    with pytest.raises(DiscourseClientError):
        client.add_group_members(group.id, [username])


def test_list_users(client):
    users = client.list_users("active", show_emails="true")
    assert len(users) == 100
    assert all("email" in user for user in users)


def test_perceval_fetches_every_topic_with_its_posts(sandbox_server):
    from perceval.backends.core.discourse import Discourse

    forum = sandbox_server.state
    backend = Discourse(sandbox_server.url, api_token=sandbox_server.api_key, api_username="system")
    items = {item["data"]["id"]: item["data"] for item in backend.fetch()}
    expected = {topic.id for topic in forum.topics.values() if forum.is_counted_topic(topic)}
    assert set(items) == expected
    for topic_id, data in items.items():
        stream = forum.topics[topic_id].post_ids
        wanted = len(stream) if data["posts_count"] > 20 else min(20, len(stream))
        assert [post["id"] for post in data["post_stream"]["posts"]] == stream[:wanted]


def test_perceval_requests_one_post_per_post_beyond_the_first_chunk(sandbox_server):
    from perceval.backends.core.discourse import Discourse

    forum = sandbox_server.state
    sandbox_server.reset_stats()
    list(
        Discourse(
            sandbox_server.url, api_token=sandbox_server.api_key, api_username="system"
        ).fetch()
    )
    routes = sandbox_server.stats()["routes"]
    extra = sum(
        len(t.post_ids) - 20
        for t in forum.topics.values()
        if forum.is_counted_topic(t) and forum.topic_stats(t)["posts_count"] > 20
    )
    assert routes["GET /posts/{id}.json"] == extra


def test_pydiscourse_waits_and_retries_after_the_json_429(client, sandbox_server):
    sandbox_server.set_faults(sequence=["rate_limit"], retry_after=1)
    assert client.latest_posts()["latest_posts"]
    assert sandbox_server.stats()["statuses"] == {"200": 1, "429": 1}
