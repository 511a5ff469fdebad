"""Creating posts, categories, groups and memberships follows Discourse's validations."""

from __future__ import annotations

BODY = "Voici un message assez long pour passer la validation."


def test_new_topic_needs_fifteen_character_title(api):
    response = api.post("/posts.json", data={"title": "Trop court", "raw": BODY})
    assert response.status_code == 422
    assert response.json()["errors"] == ["Title is too short (minimum is 15 characters)"]


def test_reply_needs_twenty_character_body(api):
    response = api.post("/posts.json", data={"topic_id": 2, "raw": "Trop court"})
    assert response.status_code == 422
    assert response.json()["errors"] == ["Body is too short (minimum is 20 characters)"]


def test_duplicate_topic_title_is_refused(api, sandbox_server):
    title = next(t.title for t in sandbox_server.state.topics.values() if t.archetype == "regular")
    response = api.post("/posts.json", data={"title": title, "raw": BODY})
    assert response.status_code == 422
    assert response.json()["errors"] == ["Title has already been used"]


def test_identical_create_within_two_minutes_returns_first_post(api, sandbox_server):
    before = len(sandbox_server.state.posts)
    first = api.post("/posts.json", data={"topic_id": 2, "raw": BODY}).json()
    second = api.post("/posts.json", data={"topic_id": 2, "raw": BODY}).json()
    assert first["id"] == second["id"]
    assert len(sandbox_server.state.posts) == before + 1


def test_created_at_is_honoured(api):
    post = api.post(
        "/posts.json",
        data={
            "title": "Un sujet importé du passé",
            "raw": BODY,
            "created_at": "2026-01-02T03:04:05Z",
        },
    ).json()
    assert post["created_at"] == "2026-01-02T03:04:05.000Z"
    assert post["post_number"] == 1


def test_created_topic_appears_first_in_latest_after_pins(api):
    post = api.post(
        "/posts.json", data={"title": "Question toute fraîche du jour", "raw": BODY}
    ).json()
    topics = api.get("/latest.json").json()["topic_list"]["topics"]
    assert [t["id"] for t in topics if not t["pinned"]][0] == post["topic_id"]


def test_create_category_form_encoded_permissions(api, sandbox_server):
    response = api.post(
        "/categories.json",
        data={
            "name": "Nouvelle coop",
            "color": "ff0000",
            "permissions[entrepreneurs]": "1",
            "permissions[staff]": "1",
        },
    )
    category = response.json()["category"]
    assert {(p["group_name"], p["permission_type"]) for p in category["group_permissions"]} == {
        ("entrepreneurs", 1),
        ("staff", 1),
    }
    assert category["read_restricted"] is True


def test_create_category_json_body_with_custom_fields(api):
    parent = api.post("/categories.json", json={"name": "Parent JSON"}).json()["category"]
    child = api.post(
        "/categories.json",
        json={
            "name": "Entraide",
            "slug": "entraide-json",
            "parent_category_id": parent["id"],
            "custom_fields": {"enable_accepted_answers": "true"},
        },
    ).json()["category"]
    shown = api.get(f"/c/{child['id']}/show.json").json()["category"]
    assert shown["parent_category_id"] == parent["id"]
    assert shown["custom_fields"]["enable_accepted_answers"] == "true"


def test_update_category_replaces_permissions(api):
    category = api.post(
        "/categories.json", json={"name": "A modifier", "permissions": {"staff": 1}}
    ).json()["category"]
    api.put(
        f"/categories/{category['id']}.json",
        json={"name": "A modifier", "permissions": {"directions": 1}},
    )
    shown = api.get(f"/c/{category['id']}/show.json").json()["category"]
    assert [p["group_name"] for p in shown["group_permissions"]] == ["directions"]


def test_adding_only_existing_members_is_422(api, sandbox_server):
    group = sandbox_server.state.group_by_name("entrepreneurs")
    member = sandbox_server.state.users[next(iter(group.members))]
    response = api.put(f"/groups/{group.id}/members.json", json={"usernames": member.username})
    assert response.status_code == 422


def test_add_and_remove_group_members(api, sandbox_server):
    group = sandbox_server.state.group_by_name("transformers")
    added = api.put(f"/groups/{group.id}/members.json", json={"usernames": "animation"}).json()
    removed = api.delete(
        f"/groups/{group.id}/members.json", json={"usernames": "animation,system"}
    ).json()
    assert added["usernames"] == ["animation"]
    assert removed == {"success": "OK", "usernames": ["animation"], "skipped_usernames": ["system"]}


def test_like_counts_in_actions_summary(api, sandbox_server):
    post = api.post(
        "/posts.json", data={"title": "Un sujet pour compter les likes", "raw": BODY}
    ).json()
    headers = {"Api-Username": "animation"}
    api.post(
        "/post_actions.json", data={"id": post["id"], "post_action_type_id": 2}, headers=headers
    )
    shown = api.get(f"/posts/{post['id']}.json").json()
    assert shown["actions_summary"][0] == {"id": 2, "count": 1, "can_act": True}
    likers = api.get(
        "/post_action_users.json", params={"id": post["id"], "post_action_type_id": 2}
    ).json()
    assert [user["username"] for user in likers["post_action_users"]] == ["animation"]


def test_deleted_post_is_shown_to_admin_with_deleted_at(api, sandbox_server):
    topic = next(
        t
        for t in sandbox_server.state.topics.values()
        if len(t.post_ids) > 2 and t.deleted_at is None
    )
    victim = topic.post_ids[1]
    assert api.delete(f"/posts/{victim}.json").status_code == 200
    posts = api.get(f"/t/{topic.id}.json").json()["post_stream"]["posts"]
    assert next(p for p in posts if p["id"] == victim)["deleted_at"] is not None


def test_same_text_with_other_created_at_is_a_new_post(api):
    first = api.post(
        "/posts.json", data={"topic_id": 2, "raw": BODY, "created_at": "2026-01-01T10:00:00Z"}
    ).json()
    second = api.post(
        "/posts.json", data={"topic_id": 2, "raw": BODY, "created_at": "2026-01-02T10:00:00Z"}
    ).json()
    assert first["id"] != second["id"]


def test_a_private_message_to_a_group_name_reaches_its_members(api, sandbox_server):
    """Discourse splits `target_recipients` into usernames and group names (the worker's alerts
    go to the animators' group)."""
    created = api.post(
        "/posts.json",
        data={
            "title": "Alerte du worker de Campus",
            "raw": BODY,
            "archetype": "private_message",
            "target_recipients": "admins",
        },
    )
    assert created.status_code == 200, created.text
    forum = sandbox_server.state
    topic = forum.topics[created.json()["topic_id"]]
    admins = forum.group_member_ids(forum.group_by_name("admins"))
    assert admins and set(admins) <= set(topic.allowed_user_ids)
    unknown = api.post(
        "/posts.json",
        data={
            "title": "Alerte du worker de Campus",
            "raw": BODY + " encore",
            "archetype": "private_message",
            "target_recipients": "personne-inconnue",
        },
    )
    assert unknown.status_code == 422
