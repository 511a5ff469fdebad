"""Behaviour checked against Discourse's source (/work/briefs/verified-api.md): plugins and site
settings, group and liker paging, badge grants, invites and the pending-invite list."""

from __future__ import annotations

from datetime import timedelta

from sandbox.state import LIKE

PLUGIN_KEYS = {
    "id",
    "name",
    "about",
    "version",
    "url",
    "enabled",
    "enabled_setting",
    "has_settings",
    "is_official",
    "commit_hash",
    "commit_url",
}
INVITEE = "nouvelle@coop.example.org"


def settings_of(api) -> dict:
    body = api.get("/admin/site_settings.json").json()
    return {entry["setting"]: entry["value"] for entry in body["site_settings"]}


# --- plugins and site settings -----------------------------------------------------------


def test_plugins_list_solved_and_data_explorer_but_never_poll(api):
    plugins = api.get("/admin/plugins.json").json()["plugins"]
    assert {plugin["name"]: plugin["enabled"] for plugin in plugins} == {
        "discourse-data-explorer": True,
        "discourse-solved": True,
    }


def test_plugin_entries_carry_the_serializer_keys(api):
    for plugin in api.get("/admin/plugins.json").json()["plugins"]:
        assert PLUGIN_KEYS <= set(plugin) <= PLUGIN_KEYS | {"admin_route"}


def test_site_settings_show_plugin_switches_and_posting_rules(api):
    settings = settings_of(api)
    assert settings["poll_enabled"] == settings["solved_enabled"] == "true"
    assert settings["data_explorer_enabled"] == "true"
    assert (settings["min_topic_title_length"], settings["min_post_length"]) == ("15", "20")


def test_site_setting_entries_have_discourse_keys(api):
    entry = api.get("/admin/site_settings.json").json()["site_settings"][0]
    assert {"setting", "description", "default", "type", "value", "category"} <= set(entry)


def test_disabled_plugin_setting_shows_in_plugin_list(api, sandbox_server):
    sandbox_server.state.site_settings["solved_enabled"] = "false"
    plugins = {p["name"]: p for p in api.get("/admin/plugins.json").json()["plugins"]}
    assert plugins["discourse-solved"]["enabled"] is False


# --- /groups.json ------------------------------------------------------------------------


def test_groups_pages_are_zero_based_36_a_page(api, sandbox_server):
    for number in range(20):
        api.post("/admin/groups.json", json={"group": {"name": f"extra-{number:02d}"}})
    total = len(sandbox_server.state.groups)
    first = api.get("/groups.json", params={"page": 0}).json()
    second = api.get("/groups.json", params={"page": 1}).json()
    assert (len(first["groups"]), len(second["groups"])) == (36, total - 36)
    assert first["total_rows_groups"] == total
    assert first["load_more_groups"] == "/groups?page=1"
    assert not {g["id"] for g in first["groups"]} & {g["id"] for g in second["groups"]}


# --- /post_action_users.json -------------------------------------------------------------


def liked_post(sandbox_server):
    """The post with the most likes, each like one minute apart, stored newest first."""
    forum = sandbox_server.state
    post_id = max(forum.actions_by_post, key=lambda pid: len(forum.actions_by_post[pid]))
    likes = [a for a in forum.actions_by_post[post_id] if a.post_action_type_id == LIKE]
    start = likes[0].created_at
    for index, action in enumerate(reversed(likes)):
        action.created_at = start + timedelta(minutes=index)
    return post_id, likes


def test_post_action_users_ordered_by_like_time(api, sandbox_server):
    post_id, likes = liked_post(sandbox_server)
    body = api.get(
        "/post_action_users.json", params={"id": post_id, "post_action_type_id": LIKE}
    ).json()
    expected = [sandbox_server.state.users[a.user_id].username for a in reversed(likes)]
    assert [user["username"] for user in body["post_action_users"]] == expected
    assert "total_rows_post_action_users" not in body


def test_post_action_users_page_is_zero_based_with_total_past_limit(api, sandbox_server):
    post_id, likes = liked_post(sandbox_server)
    params = {"id": post_id, "post_action_type_id": LIKE, "limit": 3}
    pages = [
        api.get("/post_action_users.json", params={**params, "page": page}).json()
        for page in (0, 1)
    ]
    names = [[user["username"] for user in page["post_action_users"]] for page in pages]
    expected = [sandbox_server.state.users[a.user_id].username for a in reversed(likes)]
    assert names == [expected[:3], expected[3:6]]
    assert pages[0]["total_rows_post_action_users"] == len(likes)


def test_post_action_users_entries_have_discourse_keys(api, sandbox_server):
    post_id, _ = liked_post(sandbox_server)
    body = api.get("/post_action_users.json", params={"id": post_id, "post_action_type_id": LIKE})
    assert {"id", "username", "name", "avatar_template", "post_url", "username_lower"} <= set(
        body.json()["post_action_users"][0]
    )


def test_post_action_users_limit_above_200_is_400(api, sandbox_server):
    post_id, _ = liked_post(sandbox_server)
    params = {"id": post_id, "post_action_type_id": LIKE, "limit": 201}
    assert api.get("/post_action_users.json", params=params).status_code == 400


# --- POST /user_badges.json --------------------------------------------------------------


def new_badge(api, **fields) -> dict:
    data = {"name": "Transformer", "badge_type_id": 3, **fields}
    return api.post("/admin/badges.json", data=data).json()["badge"]


def test_grant_answers_with_user_badge_root(api):
    badge = new_badge(api)
    body = api.post("/user_badges.json", data={"username": "animation", "badge_id": badge["id"]})
    assert body.json()["user_badge"]["badge_id"] == badge["id"]
    assert [b["id"] for b in body.json()["badges"]] == [badge["id"]]


def test_grant_by_badge_name(api):
    badge = new_badge(api)
    body = api.post(
        "/user_badges.json", data={"username": "animation", "badge_name": badge["name"]}
    )
    assert body.json()["user_badge"]["badge_id"] == badge["id"]


def test_grant_of_unknown_badge_is_404(api):
    data = {"username": "animation", "badge_id": 99999}
    assert api.post("/user_badges.json", data=data).status_code == 404


def test_grant_of_disabled_badge_is_404(api):
    badge = new_badge(api, enabled="false")
    data = {"username": "animation", "badge_id": badge["id"]}
    assert api.post("/user_badges.json", data=data).status_code == 404


def test_grant_reason_that_is_no_forum_link_is_400_failed(api):
    badge = new_badge(api)
    data = {"username": "animation", "badge_id": badge["id"], "reason": "pour son aide"}
    response = api.post("/user_badges.json", data=data)
    assert response.status_code == 400
    assert response.json()["failed"] == "FAILED"
    assert response.json()["message"]


def test_grant_reason_linking_a_topic_is_accepted(api, sandbox_server):
    badge = new_badge(api)
    reason = f"{sandbox_server.url}/t/bienvenue/2/3"
    data = {"username": "animation", "badge_id": badge["id"], "reason": reason}
    assert api.post("/user_badges.json", data=data).status_code == 200


def test_regrant_of_single_grant_badge_returns_the_existing_grant(api):
    badge = new_badge(api)
    data = {"username": "animation", "badge_id": badge["id"]}
    first = api.post("/user_badges.json", data=data).json()["user_badge"]
    second = api.post("/user_badges.json", data=data).json()["user_badge"]
    assert second["id"] == first["id"]
    assert len(api.get("/user-badges/animation.json").json()["user_badges"]) == 1


def test_regrant_of_multiple_grant_badge_grants_again(api):
    badge = new_badge(api, multiple_grant="true")
    data = {"username": "animation", "badge_id": badge["id"]}
    first = api.post("/user_badges.json", data=data).json()["user_badge"]
    second = api.post("/user_badges.json", data=data).json()["user_badge"]
    assert second["id"] != first["id"]


# --- POST /invites.json and /u/{username}/invited.json -----------------------------------


def test_invite_answers_with_the_invite_at_the_root(api):
    response = api.post("/invites.json", data={"email": INVITEE, "group_names": "transformers"})
    assert response.status_code == 200
    assert response.json()["email"] == INVITEE
    assert [group["name"] for group in response.json()["groups"]] == ["transformers"]


def test_inviting_an_existing_account_is_422(api, sandbox_server):
    member = next(u for u in sandbox_server.state.users.values() if u.id > 0)
    response = api.post("/invites.json", data={"email": member.email.upper()})
    assert response.status_code == 422
    assert response.json()["errors"]


def test_inviting_a_pending_address_again_resends_the_same_invite(api, sandbox_server):
    first = api.post("/invites.json", data={"email": INVITEE}).json()
    second = api.post("/invites.json", data={"email": INVITEE})
    assert second.status_code == 200
    assert second.json()["id"] == first["id"]
    (invite,) = sandbox_server.state.invites.values()
    assert len(invite.sent_at) == 2


def test_staff_reinvites_are_not_rate_limited(api):
    """Discourse's reinvites-per-day limiter (3) is built with the inviter, and staff are exempt."""
    statuses = {api.post("/invites.json", data={"email": INVITEE}).status_code for _ in range(4)}
    assert statuses == {200}


def test_pending_invites_listed_with_counts(api):
    api.post("/invites.json", data={"email": INVITEE, "group_names": "transformers"})
    body = api.get("/u/system/invited.json", params={"filter": "pending"}).json()
    assert [invite["email"] for invite in body["invites"]] == [INVITEE]
    assert [g["name"] for g in body["invites"][0]["groups"]] == ["transformers"]
    assert body["can_see_invite_details"] is True
    assert body["counts"] == {"pending": 1, "expired": 0, "redeemed": 0, "total": 1}


def test_pending_invites_are_those_of_the_named_inviter(api, sandbox_server):
    api.post("/invites.json", data={"email": INVITEE})
    admin = next(u for u in sandbox_server.state.users.values() if u.admin and u.id > 0)
    body = api.get(f"/u/{admin.username}/invited.json", params={"filter": "pending"}).json()
    assert body["invites"] == []


def test_expired_invite_is_not_pending(api, sandbox_server):
    api.post("/invites.json", data={"email": INVITEE})
    (invite,) = sandbox_server.state.invites.values()
    invite.created_at -= timedelta(days=91)
    body = api.get("/u/system/invited.json", params={"filter": "pending"}).json()
    assert (body["invites"], body["counts"]["expired"]) == ([], 1)


def test_grant_reason_linking_another_site_is_400(api):
    badge = new_badge(api)
    data = {"username": "animation", "badge_id": badge["id"], "reason": "https://example.com/t/x/2"}
    assert api.post("/user_badges.json", data=data).status_code == 400


# --- /solution/by_user.json --------------------------------------------------------------


def test_solved_by_user_lists_the_users_accepted_answers(api, sandbox_server):
    forum = sandbox_server.state
    topic = next(t for t in forum.topics.values() if t.accepted_answer_post_id)
    author = forum.users[forum.posts[topic.accepted_answer_post_id].user_id]
    expected = {
        t.accepted_answer_post_id
        for t in forum.topics.values()
        if t.accepted_answer_post_id and forum.posts[t.accepted_answer_post_id].user_id == author.id
    }
    body = api.get("/solution/by_user.json", params={"username": author.username, "limit": 100})
    posts = body.json()["user_solved_posts"]
    assert {post["post_id"] for post in posts} == expected
    assert {post["username"] for post in posts} == {author.username}


def test_solved_by_user_newest_accept_first_and_limited(api, sandbox_server):
    forum = sandbox_server.state
    topics = [t for t in forum.topics.values() if t.accepted_answer_post_id][:2]
    author = forum.users[forum.posts[topics[0].accepted_answer_post_id].user_id]
    post = forum.posts[topics[1].accepted_answer_post_id]
    with forum.lock:
        post.user_id = author.id
        topics[0].accepted_at = topics[1].accepted_at - timedelta(days=1)
    body = api.get("/solution/by_user.json", params={"username": author.username, "limit": 1})
    assert [p["post_id"] for p in body.json()["user_solved_posts"]] == [post.id]
