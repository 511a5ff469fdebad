"""Paging rules of the `DiscourseAPI` iterators: nothing skipped, nothing duplicated, no waste."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings

URL = "https://forum.test"


@pytest.fixture
def api() -> DiscourseAPI:
    settings = DiscourseSettings(url=URL, api_key="key", requests_per_minute=0)
    return DiscourseAPI(settings, sleep=lambda seconds: None)


def query(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query)


def serve(path: str, handler) -> None:
    """Answer GET `path` with `handler(query) -> body` (JSON)."""
    responses.add_callback(
        responses.GET,
        URL + path,
        callback=lambda request: (200, {}, json.dumps(handler(query(request)))),
        content_type="application/json; charset=utf-8",
    )


def sent(param: str) -> list[str | None]:
    return [query(call.request).get(param, [None])[0] for call in responses.calls]


def latest_posts(ids: list[int]):
    """/posts.json over `ids`: 50 a page, id desc, `before` inclusive (as Discourse does)."""

    def handler(params):
        before = int(params.get("before", [10**9])[0])
        page = sorted((i for i in ids if i <= before), reverse=True)[:50]
        return {"latest_posts": [{"id": i} for i in page]}

    return handler


@responses.activate
def test_latest_posts_walks_120_posts_without_gap_or_duplicate(api):
    serve("/posts.json", latest_posts(list(range(1, 121))))
    seen = [post["id"] for page in api.iter_latest_posts() for post in page]
    assert seen == list(range(120, 0, -1))
    assert sent("before") == [None, "70", "20"]


@responses.activate
def test_latest_posts_stops_at_known_id(api):
    serve("/posts.json", latest_posts(list(range(1, 121))))
    seen = [post["id"] for page in api.iter_latest_posts(stop_at_id=95) for post in page]
    assert seen == list(range(120, 95, -1))
    assert len(responses.calls) == 1


@responses.activate
def test_latest_posts_stop_id_on_page_boundary_costs_no_extra_request(api):
    serve("/posts.json", latest_posts(list(range(1, 121))))
    seen = [post["id"] for page in api.iter_latest_posts(stop_at_id=70) for post in page]
    assert seen == list(range(120, 70, -1))
    assert len(responses.calls) == 1


@responses.activate
def test_latest_posts_resumes_an_interrupted_walk_from_before(api):
    serve("/posts.json", latest_posts(list(range(1, 121))))
    pages = api.iter_latest_posts(stop_at_id=10, before=69)
    seen = [post["id"] for page in pages for post in page]
    assert seen == list(range(69, 10, -1))
    assert sent("before") == ["69", "19"]


@responses.activate
def test_latest_posts_handles_id_gaps(api):
    ids = [i for i in range(1, 200) if i % 3]  # deleted posts leave holes
    serve("/posts.json", latest_posts(ids))
    seen = [post["id"] for page in api.iter_latest_posts() for post in page]
    assert seen == sorted(ids, reverse=True)


@responses.activate
def test_latest_posts_of_empty_forum(api):
    serve("/posts.json", latest_posts([]))
    assert list(api.iter_latest_posts()) == []


@responses.activate
def test_latest_topics_follows_more_topics_url(api):
    topics = [{"id": i} for i in range(250)]

    def handler(params):
        page = int(params["page"][0])
        topic_list = {"topics": topics[page * 100 : (page + 1) * 100]}
        if (page + 1) * 100 < len(topics):
            topic_list["more_topics_url"] = f"/latest?page={page + 1}&per_page=100"
        return {"topic_list": topic_list}

    serve("/latest.json", handler)
    seen = [topic["id"] for page in api.iter_latest_topics() for topic in page]
    assert seen == list(range(250))
    assert sent("page") == ["0", "1", "2"]
    assert set(sent("per_page")) == {"100"}


def topic_view(topic_id: int, count: int) -> dict:
    stream = [1000 + n for n in range(count)]
    return {
        "id": topic_id,
        "chunk_size": 20,
        "post_stream": {"posts": [{"id": i} for i in stream[:20]], "stream": stream},
    }


@responses.activate
def test_topic_with_posts_fetches_the_rest_by_chunks_of_20(api):
    serve("/t/7.json", lambda params: topic_view(7, 45))
    serve(
        "/t/7/posts.json",
        lambda params: {"post_stream": {"posts": [{"id": int(i)} for i in params["post_ids[]"]]}},
    )
    topic = api.topic_with_posts(7)
    assert [post["id"] for post in topic["post_stream"]["posts"]] == list(range(1000, 1045))
    chunks = [query(call.request).get("post_ids[]") for call in responses.calls[1:]]
    assert [len(chunk) for chunk in chunks] == [20, 5]
    assert chunks[0][0] == "1020"


@responses.activate
def test_short_topic_needs_one_request(api):
    serve("/t/8.json", lambda params: topic_view(8, 20))
    topic = api.topic_with_posts(8)
    assert len(topic["post_stream"]["posts"]) == 20
    assert len(responses.calls) == 1


def admin_users(count: int):
    users = [{"id": i} for i in range(count)]

    def handler(params):
        page = max(int(params["page"][0]) - 1, 0)  # Discourse: page 0 repeats page 1
        return users[page * 100 : (page + 1) * 100]

    return handler


@responses.activate
def test_admin_users_pages_are_one_based(api):
    serve("/admin/users/list/active.json", admin_users(230))
    seen = [user["id"] for page in api.iter_users() for user in page]
    assert seen == list(range(230))
    assert sent("page") == ["1", "2", "3"]


@responses.activate
def test_admin_users_exact_multiple_of_100_ends_on_empty_page(api):
    serve("/admin/users/list/active.json", admin_users(200))
    seen = [user["id"] for page in api.iter_users() for user in page]
    assert seen == list(range(200))
    assert sent("page") == ["1", "2", "3"]


@responses.activate
def test_admin_users_passes_filters(api):
    serve("/admin/users/list/staff.json", admin_users(3))
    list(api.iter_users("staff", show_emails="true"))
    assert sent("show_emails") == ["true"]


@responses.activate
def test_group_members_pages_by_offset_up_to_total(api):
    members = [{"id": i} for i in range(2500)]

    def handler(params):
        limit, offset = int(params["limit"][0]), int(params["offset"][0])
        return {"members": members[offset : offset + limit], "meta": {"total": 2500}}

    serve("/groups/coop-a/members.json", handler)
    seen = [member["id"] for page in api.iter_group_members("coop-a") for member in page]
    assert seen == list(range(2500))
    assert sent("offset") == ["0", "1000", "2000"]


@responses.activate
def test_groups_pages_until_total_rows(api):
    groups = [{"id": i} for i in range(40)]

    def handler(params):
        page = int(params["page"][0])
        return {"groups": groups[page * 36 : (page + 1) * 36], "total_rows_groups": 40}

    serve("/groups.json", handler)
    seen = [group["id"] for page in api.iter_groups() for group in page]
    assert seen == list(range(40))
    assert sent("page") == ["0", "1"]


@responses.activate
def test_user_actions_pages_by_offset_until_empty(api):
    actions = [{"post_id": i} for i in range(45)]
    serve(
        "/user_actions.json",
        lambda params: {"user_actions": actions[int(params["offset"][0]) :][:30]},
    )
    seen = [a["post_id"] for page in api.iter_user_actions("alice", 1) for a in page]
    assert seen == list(range(45))
    assert sent("offset") == ["0", "30", "45"]
    assert set(sent("filter")) == {"1"}


@responses.activate
def test_post_action_users_pages_are_zero_based(api):
    likers = [{"id": i} for i in range(250)]
    serve(
        "/post_action_users.json",
        lambda params: {"post_action_users": likers[int(params["page"][0]) * 200 :][:200]},
    )
    seen = [user["id"] for page in api.iter_post_action_users(5) for user in page]
    assert seen == list(range(250))
    assert sent("page") == ["0", "1"]
    assert set(sent("post_action_type_id")) == {"2"}
