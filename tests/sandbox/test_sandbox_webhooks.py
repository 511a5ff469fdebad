"""Webhook deliveries: Discourse's headers, signature and bodies, retries, replays."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.conftest import SANDBOX_TEST_KEY, control_headers, free_port

pytestmark = pytest.mark.integration

SECRET = "un-secret-de-test-pour-les-webhooks"
ROOT = Path(__file__).resolve().parents[2]


class Receiver:
    """An HTTP endpoint recording every POST; answers `statuses` in turn, then 200."""

    def __init__(self, statuses: list[int] | None = None):
        self.received: list[dict] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/discourse"

    def events(self) -> list[str]:
        return [item["headers"]["X-Discourse-Event"] for item in self.received]

    def bodies(self, event: str) -> list[dict]:
        return [
            json.loads(item["body"])
            for item in self.received
            if item["headers"]["X-Discourse-Event"] == event
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def test_a_new_reply_is_delivered_with_discourse_headers_and_signature(sandbox_server, receiver):
    sandbox_server.configure_webhooks(receiver.url, SECRET)
    done = sandbox_server.activity(seed=2, new_posts=1)
    assert sandbox_server.wait_webhooks(10)
    (item,) = receiver.received
    headers, body = item["headers"], item["body"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Discourse-Event-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Discourse-Event-Type"] == "post"
    assert headers["X-Discourse-Event"] == "post_created"
    assert headers["X-Discourse-Instance"] == sandbox_server.url
    assert headers["X-Discourse-Event-Id"] == "1"
    post = json.loads(body)["post"]
    assert post["id"] == done["new_posts"][0]
    assert "actions_summary" not in post  # WebHookPostSerializer leaves like counts out
    assert {"topic_title", "topic_posts_count", "topic_archetype", "raw"} <= set(post)


def test_event_ids_increase_across_deliveries(sandbox_server, receiver):
    sandbox_server.configure_webhooks(receiver.url, SECRET)
    sandbox_server.activity(seed=2, new_posts=5, edits=1, likes=1)
    assert sandbox_server.wait_webhooks(10)
    ids = [int(item["headers"]["X-Discourse-Event-Id"]) for item in receiver.received]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == 8  # 5 posts, 1 topic, edit, like


def test_new_topic_sends_topic_created_with_the_topic_fields(sandbox_server, receiver):
    sandbox_server.configure_webhooks(receiver.url, SECRET)
    done = sandbox_server.activity(seed=2, new_posts=5)
    assert sandbox_server.wait_webhooks(10)
    (body,) = receiver.bodies("topic_created")
    assert body["topic"]["id"] == done["new_topics"][0]
    assert body["topic"]["posts_count"] == 1 and "post_stream" not in body["topic"]


def test_a_like_carries_the_post_and_the_liker(sandbox_server, receiver):
    sandbox_server.configure_webhooks(receiver.url, SECRET)
    done = sandbox_server.activity(seed=4, likes=1)
    assert sandbox_server.wait_webhooks(10)
    (body,) = receiver.bodies("post_liked")
    post_id, username = done["likes"][0]
    assert body["like"]["post"]["id"] == post_id
    assert body["like"]["user"]["username"] == username


def test_api_writes_emit_solution_group_and_deletion_events(sandbox_server, receiver, api):
    sandbox_server.configure_webhooks(receiver.url, SECRET)
    forum = sandbox_server.state
    topic = next(t for t in forum.topics.values() if t.accepted_answer_post_id is not None)
    answer = topic.accepted_answer_post_id
    assert api.post("/solution/unaccept.json", data={"id": answer}).status_code == 200
    group = next(g for g in forum.groups.values() if not g.automatic and g.members)
    member = forum.users[next(iter(group.members))]
    removed = api.delete(f"/groups/{group.id}/members.json", data={"usernames": member.username})
    assert removed.status_code == 200
    reply = forum.topic_posts(topic)[-1]
    assert api.delete(f"/posts/{reply.id}.json").status_code == 200
    assert sandbox_server.wait_webhooks(10)
    assert receiver.events() == ["unaccepted_solution", "user_removed_from_group", "post_destroyed"]
    assert receiver.bodies("unaccepted_solution")[0]["solved"]["id"] == answer
    assert receiver.bodies("user_removed_from_group")[0]["group_user"] == {
        "id": group.id * 1_000_000 + member.id,
        "group_id": group.id,
        "user_id": member.id,
        "owner": False,
        "notification_level": group.default_notification_level,
        "created_at": None,
    }


def test_a_failed_delivery_is_retried_until_answered(sandbox_server):
    failing = Receiver(statuses=[500, 503])
    try:
        sandbox_server.configure_webhooks(failing.url, SECRET, retry_seconds=[0.05, 0.1, 0.2])
        sandbox_server.activity(seed=2, new_posts=1)
        assert sandbox_server.wait_webhooks(10)
        bodies = {item["body"] for item in failing.received}
        assert len(failing.received) == 3 and len(bodies) == 1
        (delivery,) = sandbox_server.sandbox.webhooks.summaries()
        assert delivery["attempts"] == ["500", "503", "200"]
        assert delivery["state"] == "delivered"
    finally:
        failing.close()


def test_a_delivery_gives_up_after_four_retries(sandbox_server):
    failing = Receiver(statuses=[500] * 10)
    try:
        sandbox_server.configure_webhooks(failing.url, SECRET, retry_seconds=[0.01] * 4)
        sandbox_server.activity(seed=2, new_posts=1)
        assert sandbox_server.wait_webhooks(10)
        (delivery,) = sandbox_server.sandbox.webhooks.summaries()
        assert (delivery["state"], len(delivery["attempts"])) == ("failed", 5)
    finally:
        failing.close()


def test_replay_sends_the_same_bytes_and_id_again(sandbox_server, receiver):
    sandbox_server.configure_webhooks(receiver.url, SECRET)
    sandbox_server.activity(seed=2, new_posts=2)
    assert sandbox_server.wait_webhooks(10)
    first = list(receiver.received)
    response = requests.post(
        f"{sandbox_server.url}/_sandbox/webhooks/replay",
        json={},
        headers=control_headers(sandbox_server.api_key),
        timeout=10,
    )
    assert response.json() == {"replayed": 2}
    requests.post(
        f"{sandbox_server.url}/_sandbox/webhooks/wait",
        json={},
        headers=control_headers(sandbox_server.api_key),
        timeout=40,
    )
    again = receiver.received[2:]
    assert [(i["headers"], i["body"]) for i in again] == [(i["headers"], i["body"]) for i in first]


def test_control_endpoint_configures_and_never_shows_the_secret(sandbox_server, receiver):
    control = f"{sandbox_server.url}/_sandbox/webhooks"
    answer = requests.post(
        control,
        json={"url": receiver.url, "secret": SECRET, "events": ["post_created"]},
        headers=control_headers(sandbox_server.api_key),
        timeout=10,
    )
    assert answer.status_code == 200 and SECRET not in answer.text
    sandbox_server.activity(seed=2, new_posts=5)  # 5 posts and a topic: only posts are sent
    status = requests.post(
        f"{control}/wait",
        json={"timeout": 10},
        headers=control_headers(sandbox_server.api_key),
        timeout=20,
    ).json()
    assert status["idle"] and status["delivered"] == 5 and SECRET not in json.dumps(status)
    assert set(receiver.events()) == {"post_created"}


def test_control_endpoint_refuses_an_unknown_event(sandbox_server):
    answer = requests.post(
        f"{sandbox_server.url}/_sandbox/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["post_teleported"]},
        headers=control_headers(sandbox_server.api_key),
        timeout=10,
    )
    assert answer.status_code == 422 and "post_teleported" in answer.text


def test_nothing_is_sent_before_a_url_is_configured(sandbox_server):
    sandbox_server.activity(seed=2, new_posts=3)
    assert sandbox_server.sandbox.webhooks.status()["emitted"] == 0


def test_launcher_option_sends_webhooks_signed_with_the_environment_secret(receiver):
    port = free_port()
    env = {
        **os.environ,
        "CAMPUS_WEBHOOK_SECRET": SECRET,
        "CAMPUS_LANG": "fr",
        "CAMPUS_SANDBOX_API_KEY": SANDBOX_TEST_KEY,
    }
    command = [sys.executable, "-m", "sandbox", "--port", str(port), "--rate-limit", "0"]
    process = subprocess.Popen(
        [*command, "--webhook-url", receiver.url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline()]
        while "Ctrl+C" not in lines[-1] and lines[-1]:
            lines.append(process.stdout.readline())
        text = "".join(lines)
        assert receiver.url in text and SECRET not in text
        control = f"http://127.0.0.1:{port}/_sandbox"
        headers = control_headers()
        requests.post(
            f"{control}/activity", json={"seed": 2, "new_posts": 1}, headers=headers, timeout=10
        )
        requests.post(f"{control}/webhooks/wait", json={"timeout": 10}, headers=headers, timeout=20)
        (item,) = receiver.received
        expected = "sha256=" + hmac.new(SECRET.encode(), item["body"], hashlib.sha256).hexdigest()
        assert item["headers"]["X-Discourse-Event-Signature"] == expected
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
