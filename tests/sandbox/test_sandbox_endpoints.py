"""Site, users, Solved, user actions, directory, badges, invites and Data Explorer endpoints."""

from __future__ import annotations

BODY = "Voici un message assez long pour passer la validation."


def test_site_lists_categories_flat_with_custom_fields(api, sandbox_server):
    site = api.get("/site.json").json()
    entraide = [c for c in site["categories"] if c["slug"] == "entraide"]
    assert len(site["categories"]) == len(sandbox_server.state.categories)
    assert all(c["custom_fields"]["enable_accepted_answers"] == "true" for c in entraide)
    assert all("parent_category_id" in c for c in entraide)
    assert site["post_types"]["regular"] == 1


def test_session_current_is_the_api_user(api):
    assert api.get("/session/current.json").json()["current_user"]["username"] == "system"


def test_user_profile_by_username(api):
    body = api.get("/u/animation.json").json()
    assert body["user"]["username"] == "animation"
    assert api.get("/users/animation.json").json()["user"]["id"] == body["user"]["id"]
    assert api.get("/u/nobody-here.json").status_code == 404


def test_create_user_then_refuse_duplicate(api):
    data = {
        "name": "Nina Test",
        "email": "nina@test.example.org",
        "username": "nina.test",
        "active": "true",
    }
    created = api.post("/users.json", data=data).json()
    again = api.post("/users.json", data=data).json()
    assert created["success"] is True and created["active"] is True
    assert again["success"] is False


def test_accept_and_unaccept_solution(api, sandbox_server):
    forum = sandbox_server.state
    topic = next(
        t
        for t in forum.topics.values()
        if t.accepted_answer_post_id is None
        and forum.is_counted_topic(t)
        and forum.categories[t.category_id].accepts_answers
        and len(t.post_ids) > 1
    )
    answer = topic.post_ids[1]
    assert api.post("/solution/accept", data={"id": answer}).json() == {"success": "OK"}
    view = api.get(f"/t/{topic.id}.json").json()
    assert view["accepted_answer"]["post_number"] == 2
    assert view["post_stream"]["posts"][1]["accepted_answer"] is True
    api.post("/solution/unaccept", data={"id": answer})
    assert "accepted_answer" not in api.get(f"/t/{topic.id}.json").json()


def test_accept_outside_answer_categories_is_403(api, sandbox_server):
    forum = sandbox_server.state
    topic = next(
        t
        for t in forum.topics.values()
        if t.category_id
        and not forum.categories[t.category_id].accepts_answers
        and len(t.post_ids) > 1
    )
    assert api.post("/solution/accept", data={"id": topic.post_ids[1]}).status_code == 403


def test_user_actions_likes_given_newest_first(api, sandbox_server):
    forum = sandbox_server.state
    liker_id = max(
        {a.user_id for a in forum.post_actions.values() if a.post_action_type_id == 2},
        key=lambda uid: sum(1 for a in forum.post_actions.values() if a.user_id == uid),
    )
    username = forum.users[liker_id].username
    rows = api.get(
        "/user_actions.json", params={"username": username, "filter": "1", "offset": 0}
    ).json()["user_actions"]
    assert rows and all(
        row["action_type"] == 1 and row["acting_username"] == username for row in rows
    )
    assert [row["created_at"] for row in rows] == sorted(
        (row["created_at"] for row in rows), reverse=True
    )
    assert len(rows) <= 30


def test_directory_orders_by_likes_received(api):
    items = api.get(
        "/directory_items.json", params={"period": "all", "order": "likes_received"}
    ).json()
    received = [item["likes_received"] for item in items["directory_items"]]
    assert received == sorted(received, reverse=True)
    assert len(received) == 50
    assert items["meta"]["load_more_directory_items"].endswith("page=1")


def test_badge_create_and_grant(api):
    badge = api.post("/admin/badges.json", data={"name": "Transformer", "badge_type_id": 3}).json()[
        "badge"
    ]
    api.post(
        "/user_badges.json", data={"username": "animation", "badge_id": badge["id"], "reason": ""}
    )
    granted = api.get("/user-badges/animation.json").json()
    assert [grant["badge_id"] for grant in granted["user_badges"]] == [badge["id"]]
    assert api.post("/admin/badges.json", data={"name": "Transformer"}).status_code == 422


def test_explorer_queries_listed(api):
    assert api.get("/admin/plugins/explorer/queries.json").json()["queries"][0]["id"] == -1


def test_groups_paged_and_searchable(api, sandbox_server):
    page = api.get("/groups.json").json()
    assert page["total_rows_groups"] == len(page["groups"]) == len(sandbox_server.state.groups)
    assert page["load_more_groups"] == "/groups?page=1"
    assert [g["name"] for g in api.get("/groups/search.json", params={"term": "direc"}).json()] == [
        "directions"
    ]


def test_group_update(api, sandbox_server):
    group = sandbox_server.state.group_by_name("transformers")
    assert api.put(
        f"/groups/{group.id}.json", json={"group": {"full_name": "Les transformers"}}
    ).json() == {"success": "OK"}
    assert api.get("/groups/transformers.json").json()["group"]["full_name"] == "Les transformers"


def test_topic_posts_include_raw_when_asked(api, sandbox_server):
    topic = sandbox_server.state.topics[2]
    params = {"post_ids[]": topic.post_ids[:2], "include_raw": "true"}
    posts = api.get(f"/t/{topic.id}/posts.json", params=params).json()["post_stream"]["posts"]
    assert [post["raw"] for post in posts] == [
        sandbox_server.state.posts[pid].raw for pid in topic.post_ids[:2]
    ]


def test_edit_post_bumps_version(api):
    post = api.post("/posts.json", data={"title": "Sujet à modifier plus tard", "raw": BODY}).json()
    edited = api.put(
        f"/posts/{post['id']}.json", json={"post": {"raw": BODY + " Modifié."}}
    ).json()["post"]
    assert (edited["version"], edited["raw"]) == (2, BODY + " Modifié.")


def test_move_topic_to_another_category(api, sandbox_server):
    campus = sandbox_server.state.category_by_slug("campus")
    post = api.post("/posts.json", data={"title": "Sujet à déplacer ailleurs", "raw": BODY}).json()
    body = api.put(f"/t/-/{post['topic_id']}.json", json={"category_id": campus.id}).json()
    assert body["basic_topic"]["id"] == post["topic_id"]
    assert sandbox_server.state.topics[post["topic_id"]].category_id == campus.id


def test_category_topics_include_subcategories(api, sandbox_server):
    forum = sandbox_server.state
    cooperative = next(
        c
        for c in forum.categories.values()
        if c.parent_category_id is None
        and c.slug not in ("uncategorized", "campus", "labo-qvt", "direction")
    )
    family = {cooperative.id} | {
        c.id for c in forum.categories.values() if c.parent_category_id == cooperative.id
    }
    expected = {
        t.id for t in forum.topics.values() if forum.is_counted_topic(t) and t.category_id in family
    }
    listed, page = set(), 0
    while True:
        body = api.get(
            f"/c/{cooperative.slug}/{cooperative.id}.json", params={"page": page, "per_page": 100}
        ).json()
        listed.update(t["id"] for t in body["topic_list"]["topics"])
        if "more_topics_url" not in body["topic_list"]:
            break
        page += 1
    assert listed == expected


def test_deleted_topic_is_visible_to_admin_with_deleted_at(api, sandbox_server):
    forum = sandbox_server.state
    topic = next(t for t in forum.topics.values() if t.deleted_at is not None)
    body = api.get(f"/t/{topic.id}.json").json()
    assert body["deleted_at"] is not None
