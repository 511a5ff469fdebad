"""Control endpoints: counters, truth, activity, votes, export — over a real subprocess too."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import control_headers

pytestmark = pytest.mark.integration


def test_counters_count_api_requests_by_route_template(api, sandbox_server):
    sandbox_server.reset_stats()
    api.get("/t/2.json")
    api.get("/t/3.json")
    api.post("/posts.json", data={"topic_id": 2, "raw": "Une réponse suffisamment longue."})
    stats = sandbox_server.stats()
    assert stats["routes"] == {"GET /t/{id}.json": 2, "POST /posts.json": 1}
    assert (stats["total"], stats["writes"]) == (3, 1)


def test_truth_follows_stats_definitions(sandbox_server):
    forum = sandbox_server.state
    truth = sandbox_server.truth()
    counted = [
        t for t in forum.topics.values() if t.deleted_at is None and t.archetype == "regular"
    ]
    assert truth["topics"] == len(counted)
    assert truth["users"] == sum(1 for u in forum.users.values() if u.id > 0 and not u.staged)
    assert truth["posts"] == sum(
        1 for t in counted for pid in t.post_ids if forum.posts[pid].deleted_at is None
    )


def test_activity_changes_truth_as_reported(sandbox_server):
    before = sandbox_server.truth()
    done = sandbox_server.activity(seed=3, new_posts=10, edits=2, deletes=3, accepts=2, likes=5)
    after = sandbox_server.truth()
    assert after["posts"] == before["posts"] + 10 - 3
    assert after["topics"] == before["topics"] + len(done["new_topics"])
    assert after["solutions"] == before["solutions"] + 2
    assert (len(done["edited"]), len(done["deleted"]), len(done["likes"])) == (2, 3, 5)


def test_activity_is_deterministic_for_a_seed(sandbox_server):
    from sandbox.network import generate
    from sandbox.server import SandboxServer

    twin = SandboxServer(generate(1, "small"))
    first = sandbox_server.activity(seed=9, new_posts=4, edits=2, deletes=1, likes=3)
    second = twin.activity(seed=9, new_posts=4, edits=2, deletes=1, likes=3)
    assert first == second


def test_process_fixture_serves_api_and_control(sandbox_process):
    sandbox_process.reset_stats()
    headers = {"Api-Key": sandbox_process.api_key, "Api-Username": "system"}
    latest = requests.get(sandbox_process.url + "/latest.json", headers=headers, timeout=10)
    assert latest.status_code == 200
    assert sandbox_process.stats()["routes"] == {"GET /latest.json": 1}
    assert sandbox_process.truth()["topics"] > 100


def test_process_has_no_rate_limit(sandbox_process):
    headers = {"Api-Key": sandbox_process.api_key, "Api-Username": "system"}
    codes = {
        requests.get(sandbox_process.url + "/site.json", headers=headers, timeout=10).status_code
        for _ in range(70)
    }
    assert codes == {200}


def test_export_holds_every_kind(sandbox_server):
    exported = sandbox_server.export()
    assert len(exported["posts"]) == len(sandbox_server.state.posts)
    assert exported["users"][0]["username"] == "discobot"


def test_export_lists_members_of_automatic_groups(sandbox_server):
    groups = {group["name"]: group for group in sandbox_server.export()["groups"]}
    animation = sandbox_server.state.user_by_username("animation").id
    assert animation in groups["admins"]["member_ids"]


def test_votes_control_endpoint_records_votes(api, sandbox_server):
    raw = "Sondage pour la prochaine rencontre.\n\n[poll name=jour]\n* Lundi\n* Mardi\n[/poll]"
    post = api.post("/posts.json", data={"title": "Quel jour pour se voir ?", "raw": raw}).json()
    monday = post["polls"][0]["options"][0]["id"]
    payload = {"post_id": post["id"], "poll_name": "jour", "votes": {"animation": [monday]}}
    answer = requests.post(
        sandbox_server.url + "/_sandbox/votes",
        json=payload,
        headers=control_headers(),
        timeout=10,
    )
    assert answer.json() == {"post_id": post["id"], "poll_name": "jour", "voters": 1}
    assert api.get(f"/posts/{post['id']}.json").json()["polls"][0]["options"][0]["votes"] == 1


def test_votes_control_endpoint_refuses_unknown_option(api, sandbox_server):
    raw = "Sondage pour la prochaine rencontre.\n\n[poll name=jour]\n* Lundi\n* Mardi\n[/poll]"
    post = api.post(
        "/posts.json", data={"title": "Quel jour pour se retrouver ?", "raw": raw}
    ).json()
    payload = {"post_id": post["id"], "poll_name": "jour", "votes": {"animation": ["nope"]}}
    assert (
        requests.post(
            sandbox_server.url + "/_sandbox/votes",
            json=payload,
            headers=control_headers(),
            timeout=10,
        ).status_code
        == 422
    )


@pytest.mark.parametrize(
    ("method", "name"),
    [("GET", "export"), ("GET", "stats"), ("GET", "truth"), ("POST", "faults"), ("POST", "votes")],
)
def test_control_endpoints_refuse_requests_without_the_key(sandbox_server, method, name):
    answer = requests.request(method, f"{sandbox_server.url}/_sandbox/{name}", json={}, timeout=10)
    assert answer.status_code == 403
    assert "@" not in answer.text  # nothing of the forum (no e-mail) in the refusal


def test_control_endpoints_refuse_a_wrong_key(sandbox_server):
    headers = {"Api-Key": "not-the-sandbox-key-00", "Api-Username": "system"}
    answer = requests.get(f"{sandbox_server.url}/_sandbox/export", headers=headers, timeout=10)
    assert answer.status_code == 403


def test_control_endpoints_answer_with_the_key(sandbox_server):
    headers = {"Api-Key": sandbox_server.api_key, "Api-Username": "system"}
    answer = requests.get(f"{sandbox_server.url}/_sandbox/export", headers=headers, timeout=10)
    assert answer.status_code == 200
