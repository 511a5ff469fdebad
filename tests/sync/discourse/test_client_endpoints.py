"""Endpoints `DiscourseAPI` adds over pydiscourse: paths, bodies and the answers they return."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseError
from sync.discourse.settings import DiscourseSettings

URL = "https://forum.test"
OK = {"success": "OK"}


@pytest.fixture
def api() -> DiscourseAPI:
    settings = DiscourseSettings(url=URL, api_key="key", requests_per_minute=0)
    return DiscourseAPI(settings, sleep=lambda seconds: None)


def body() -> dict:
    """JSON body of the last request."""
    return json.loads(responses.calls[-1].request.body)


def form() -> dict[str, list[str]]:
    """Form-encoded body of the last request."""
    return parse_qs(responses.calls[-1].request.body)


def params() -> dict[str, list[str]]:
    return parse_qs(urlsplit(responses.calls[-1].request.url).query)


@responses.activate
def test_update_group_sends_group_object(api):
    responses.add(responses.PUT, URL + "/groups/12.json", json=OK)
    api.update_group(12, full_name="Coop A", visibility_level=0)
    assert body() == {"group": {"full_name": "Coop A", "visibility_level": 0}}


@responses.activate
def test_add_group_members_joins_usernames(api):
    responses.add(
        responses.PUT, URL + "/groups/12/members.json", json={**OK, "usernames": ["a", "b"]}
    )
    assert api.add_group_members_by_id(12, ["a", "b"])["usernames"] == ["a", "b"]
    assert body() == {"usernames": "a,b"}


@responses.activate
def test_add_group_members_already_members_is_a_no_op(api):
    responses.add(
        responses.PUT,
        URL + "/groups/12/members.json",
        status=422,
        json={"errors": ["Les utilisateurs suivants sont déjà membres de ce groupe : Alice, bob"]},
    )
    result = api.add_group_members_by_id(12, ["alice", "bob"])
    assert result == {"success": "OK", "usernames": [], "already_members": ["alice", "bob"]}


@responses.activate
def test_add_group_members_other_422_is_raised(api):
    responses.add(
        responses.PUT,
        URL + "/groups/12/members.json",
        status=422,
        json={"errors": ["You can add at most 1000 users at a time"]},
    )
    with pytest.raises(DiscourseError, match="at most 1000"):
        api.add_group_members_by_id(12, ["alice"])


@responses.activate
def test_remove_group_members(api):
    responses.add(
        responses.DELETE,
        URL + "/groups/12/members.json",
        json={**OK, "usernames": ["a"], "skipped_usernames": ["z"]},
    )
    assert api.remove_group_members_by_id(12, ["a", "z"])["skipped_usernames"] == ["z"]
    assert body() == {"usernames": "a,z"}


@responses.activate
def test_vote_poll(api):
    responses.add(responses.PUT, URL + "/polls/vote", json={"poll": {}, "vote": ["abc"]})
    api.vote_poll(31, "pulse", ["abc"])
    assert body() == {"post_id": 31, "poll_name": "pulse", "options": ["abc"]}


@responses.activate
def test_toggle_poll_status(api):
    responses.add(responses.PUT, URL + "/polls/toggle_status", json={"poll": {}})
    api.toggle_poll_status(31, "pulse", "closed")
    assert body() == {"post_id": 31, "poll_name": "pulse", "status": "closed"}


@responses.activate
def test_poll_voters_collects_every_page(api):
    pages = {
        "1": {"voters": {"opt1": [{"id": n} for n in range(2)], "opt2": [{"id": 9}]}},
        "2": {"voters": {"opt1": [{"id": 2}], "opt2": []}},
    }
    responses.add_callback(
        responses.GET,
        URL + "/polls/voters.json",
        callback=lambda request: (
            200,
            {},
            json.dumps(pages[parse_qs(urlsplit(request.url).query)["page"][0]]),
        ),
        content_type="application/json",
    )
    voters = api.poll_voters(31, "pulse", limit=2)
    assert {option: [u["id"] for u in users] for option, users in voters.items()} == {
        "opt1": [0, 1, 2],
        "opt2": [9],
    }


@responses.activate
def test_accept_and_unaccept_solution(api):
    responses.add(responses.POST, URL + "/solution/accept", json=OK)
    responses.add(responses.POST, URL + "/solution/unaccept", json=OK)
    api.accept_solution(77)
    assert form() == {"id": ["77"]}
    api.unaccept_solution(77)
    assert responses.calls[-1].request.url == URL + "/solution/unaccept"


@responses.activate
def test_directory_items(api):
    responses.add(responses.GET, URL + "/directory_items.json", json={"directory_items": []})
    api.directory_items("monthly", "likes_received", page=2)
    assert params() == {"period": ["monthly"], "order": ["likes_received"], "page": ["2"]}


@responses.activate
def test_create_badge_returns_the_badge(api):
    responses.add(responses.POST, URL + "/admin/badges.json", json={"badge": {"id": 101}})
    assert api.create_badge("Transformeur", "Aide ses pairs")["id"] == 101
    assert form()["badge_type_id"] == ["3"]


@responses.activate
def test_list_badges(api):
    responses.add(responses.GET, URL + "/admin/badges.json", json={"badges": [{"id": 1}]})
    assert api.list_badges() == [{"id": 1}]


@responses.activate
def test_grant_badge_with_reason(api):
    granted = {"user_badge": {"id": 7, "badge_id": 101}, "badges": [{"id": 101}], "users": []}
    responses.add(responses.POST, URL + "/user_badges.json", json=granted)
    assert api.grant_badge("alice", 101, reason=URL + "/t/5")["user_badge"]["badge_id"] == 101
    assert form() == {"username": ["alice"], "badge_id": ["101"], "reason": [URL + "/t/5"]}


@responses.activate
def test_grant_badge_refusal_shows_discourse_message(api):
    responses.add(
        responses.POST,
        URL + "/user_badges.json",
        status=400,
        json={"failed": "FAILED", "message": "Invalid badge reason link"},
    )
    with pytest.raises(DiscourseError, match="Invalid badge reason link"):
        api.grant_badge("alice", 101, reason="https://example.org/")


@responses.activate
def test_user_badges(api):
    responses.add(responses.GET, URL + "/user-badges/alice.json", json={"user_badges": []})
    assert api.user_badges("alice") == {"user_badges": []}
    assert api.request_counts == {"GET /user-badges/{username}.json": 1}


@responses.activate
def test_invite_joins_group_names(api):
    responses.add(responses.POST, URL + "/invites.json", json={"id": 3})
    api.invite("eve@example.org", ["coop-a", "entrepreneurs"])
    assert form() == {"email": ["eve@example.org"], "group_names": ["coop-a,entrepreneurs"]}


@responses.activate
def test_like(api):
    responses.add(responses.POST, URL + "/post_actions.json", json={"id": 5})
    api.like(5)
    assert form() == {"id": ["5"], "post_action_type_id": ["2"]}


@responses.activate
def test_create_topic_with_created_at(api):
    responses.add(responses.POST, URL + "/posts.json", json={"id": 1, "topic_id": 2})
    when = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    api.create_topic("Une question sur la TVA", "Comment déclarer la TVA ?", 7, created_at=when)
    assert body() == {
        "title": "Une question sur la TVA",
        "raw": "Comment déclarer la TVA ?",
        "category": 7,
        "created_at": "2026-03-04T09:30:00+00:00",
    }


@responses.activate
def test_reply_to_a_post(api):
    responses.add(responses.POST, URL + "/posts.json", json={"id": 3, "post_number": 2})
    api.reply(2, "Voici comment faire.", reply_to_post_number=1)
    assert body() == {"topic_id": 2, "raw": "Voici comment faire.", "reply_to_post_number": 1}


@responses.activate
def test_update_post(api):
    responses.add(responses.PUT, URL + "/posts/9.json", json={"post": {"id": 9}})
    api.update_post(9, "Nouveau texte", "correction")
    assert body() == {"post": {"raw": "Nouveau texte", "edit_reason": "correction"}}


@responses.activate
def test_all_categories_come_flat_from_site(api):
    responses.add(
        responses.GET,
        URL + "/site.json",
        json={"categories": [{"id": 1}, {"id": 2, "parent_category_id": 1}]},
    )
    assert [c["id"] for c in api.all_categories()] == [1, 2]


@responses.activate
def test_current_user(api):
    responses.add(
        responses.GET,
        URL + "/session/current.json",
        json={"current_user": {"username": "system", "admin": True}},
    )
    assert api.current_user()["admin"] is True


@responses.activate
def test_plugins(api):
    solved = {"id": "discourse-solved", "name": "discourse-solved", "enabled": True}
    responses.add(responses.GET, URL + "/admin/plugins.json", json={"plugins": [solved]})
    assert api.plugins() == [solved]


@responses.activate
def test_solved_by_user(api):
    responses.add(
        responses.GET, URL + "/solution/by_user.json", json={"user_solved_posts": [{"post_id": 4}]}
    )
    assert api.solved_by_user("alice", limit=1) == [{"post_id": 4}]
    assert params() == {"username": ["alice"], "offset": ["0"], "limit": ["1"]}


@responses.activate
def test_explorer_queries(api):
    responses.add(
        responses.GET, URL + "/admin/plugins/explorer/queries.json", json={"queries": [{"id": 1}]}
    )
    assert api.explorer_queries() == [{"id": 1}]


@responses.activate
def test_count_solved_topics_pages_the_category_listing_with_the_solved_filter(api):
    def page(count: int, more: bool) -> dict:
        topics = [{"id": i, "has_accepted_answer": True} for i in range(count)]
        listing = {
            "topics": topics,
            **({"more_topics_url": "/c/entraide/7?page=1"} if more else {}),
        }
        return {"topic_list": listing}

    responses.add(responses.GET, URL + "/c/entraide/7.json", json=page(100, True))
    responses.add(responses.GET, URL + "/c/entraide/7.json", json=page(12, False))
    assert api.count_solved_topics(7, "entraide") == 112
    first, second = (parse_qs(urlsplit(call.request.url).query) for call in responses.calls)
    assert first["solved"] == ["yes"] and first["no_subcategories"] == ["true"]
    assert (first["page"], second["page"], second["per_page"]) == (["0"], ["1"], ["100"])
