"""Paging rules of the emulated endpoints match real Discourse's."""

from __future__ import annotations


def test_posts_before_is_inclusive(api):
    first = api.get("/posts.json").json()["latest_posts"]
    again = api.get("/posts.json", params={"before": first[-1]["id"]}).json()["latest_posts"]
    assert again[0]["id"] == first[-1]["id"]


def test_posts_page_is_fifty_posts_in_descending_id_order(api):
    posts = api.get("/posts.json").json()["latest_posts"]
    ids = [post["id"] for post in posts]
    assert len(ids) == 50
    assert ids == sorted(ids, reverse=True)


def test_posts_walk_returns_every_public_regular_post_once(api, sandbox_server):
    forum = sandbox_server.state
    expected = {
        post.id
        for post in forum.posts.values()
        if post.deleted_at is None
        and not post.hidden
        and forum.is_counted_topic(forum.topics[post.topic_id])
    }
    seen, before = [], None
    while True:
        params = {"before": before} if before is not None else {}
        page = api.get("/posts.json", params=params).json()["latest_posts"]
        if not page:
            break
        seen.extend(post["id"] for post in page)
        before = page[-1]["id"] - 1
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def test_posts_items_carry_raw_and_topic_fields(api):
    post = api.get("/posts.json").json()["latest_posts"][0]
    assert {"raw", "topic_title", "topic_slug", "category_id", "actions_summary"} <= set(post)


def test_latest_has_more_topics_url_only_while_pages_remain(api, sandbox_server):
    total = sandbox_server.truth()["topics"]
    last_page = (total - 1) // 30
    middle = api.get("/latest.json", params={"page": last_page - 1}).json()["topic_list"]
    last = api.get("/latest.json", params={"page": last_page}).json()["topic_list"]
    assert middle["more_topics_url"] == f"/latest.json?page={last_page}"
    assert "more_topics_url" not in last
    assert len(last["topics"]) == total - last_page * 30


def test_latest_lists_pinned_topics_first(api):
    topics = api.get("/latest.json").json()["topic_list"]["topics"]
    assert topics[0]["pinned"] is True
    bumped = [topic["bumped_at"] for topic in topics[1:]]
    assert bumped == sorted(bumped, reverse=True)


def test_latest_per_page_over_hundred_is_refused(api):
    assert api.get("/latest.json", params={"per_page": 101}).status_code == 400


def test_latest_excludes_private_messages_and_deleted_topics(api, sandbox_server):
    forum = sandbox_server.state
    listed = set()
    page = 0
    while True:
        topic_list = api.get("/latest.json", params={"page": page, "per_page": 100}).json()[
            "topic_list"
        ]
        listed.update(topic["id"] for topic in topic_list["topics"])
        if "more_topics_url" not in topic_list:
            break
        page += 1
    assert listed == {topic.id for topic in forum.topics.values() if forum.is_counted_topic(topic)}


def test_admin_users_page_zero_equals_page_one(api):
    page0 = api.get("/admin/users/list/active.json", params={"page": 0}).json()
    page1 = api.get("/admin/users/list/active.json", params={"page": 1}).json()
    page2 = api.get("/admin/users/list/active.json", params={"page": 2}).json()
    assert page0 == page1
    assert len(page1) == 100
    assert {user["id"] for user in page1}.isdisjoint(user["id"] for user in page2)


def test_admin_users_email_filter_is_exact(api, sandbox_server):
    user = sandbox_server.state.user_by_username("animation")
    found = api.get(
        "/admin/users/list/all.json", params={"email": user.email.upper(), "show_emails": "true"}
    ).json()
    assert [(row["username"], row["email"]) for row in found] == [("animation", user.email)]


def test_admin_users_hide_emails_unless_asked(api):
    rows = api.get("/admin/users/list/active.json").json()
    assert "email" not in rows[0]


def test_group_members_pages_by_offset_with_total(api, sandbox_server):
    group = next(g for g in sandbox_server.state.groups.values() if g.name == "entrepreneurs")
    total = len(group.members)
    first = api.get("/groups/entrepreneurs/members.json", params={"limit": 50}).json()
    rest = api.get("/groups/entrepreneurs/members.json", params={"limit": 50, "offset": 50}).json()
    assert first["meta"] == {"total": total, "limit": 50, "offset": 0}
    assert len(first["members"]) == 50
    assert {m["id"] for m in first["members"]}.isdisjoint(m["id"] for m in rest["members"])


def test_group_members_limit_over_thousand_is_400(api):
    response = api.get("/groups/entrepreneurs/members.json", params={"limit": 1001})
    assert response.status_code == 400
    assert response.json()["error_type"] == "invalid_parameters"


def test_group_members_negative_offset_is_400(api):
    assert api.get("/groups/entrepreneurs/members.json", params={"offset": -1}).status_code == 400


def test_group_members_lists_owners_first(api, sandbox_server):
    forum = sandbox_server.state
    group = forum.group_by_name("transformers")
    last = forum.user_by_username(sorted(u.username for u in forum.users.values() if u.id > 0)[-1])
    forum.add_members(group, [u.id for u in list(forum.users.values())[3:8]] + [last.id])
    group.owners.add(last.id)
    body = api.get("/groups/transformers/members.json").json()
    assert body["members"][0]["username"] == last.username
    assert [owner["username"] for owner in body["owners"]] == [last.username]


def test_topic_view_chunks_twenty_posts_and_streams_all(api, sandbox_server):
    forum = sandbox_server.state
    topic = next(
        t for t in forum.topics.values() if len(t.post_ids) > 22 and forum.is_counted_topic(t)
    )
    body = api.get(f"/t/{topic.id}.json").json()
    assert body["chunk_size"] == 20
    assert len(body["post_stream"]["posts"]) == 20
    assert body["post_stream"]["stream"] == topic.post_ids


def test_directory_page_over_ten_is_400(api):
    assert api.get("/directory_items.json", params={"period": "all", "page": 11}).status_code == 400


def test_admin_users_active_applies_no_filter_and_orders_by_created_on_request(api, sandbox_server):
    forum = sandbox_server.state
    with forum.lock:
        inactive = next(u for u in forum.users.values() if u.id > 0 and not u.admin)
        inactive.active = False
    rows, page = [], 1
    while batch := api.get(
        "/admin/users/list/active.json", params={"order": "created", "page": page}
    ).json():
        rows += batch
        page += 1
    assert inactive.id in {row["id"] for row in rows}  # `active` is only a name: no filter
    created = [row["created_at"] for row in rows]
    assert created == sorted(created, reverse=True)  # newest first
    assert len(rows) == sum(1 for u in forum.users.values() if u.id > 0)
