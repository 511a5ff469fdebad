"""`POST /webhooks/discourse` over real HTTP: the sandbox delivers, Campus (waitress) applies.

Refusals write nothing; the sandbox's changes reach the mirror without any sync; replays change
nothing. The live mirror's rules themselves are tested on both databases in
tests/sync/mirror/test_live.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest
import requests
from sqlalchemy import select

from sync.mirror.schema import WebhookEvent
from tests.support.mirror import counts, dump
from tests.support.web_site import WEBHOOK_SECRET
from web import create_app
from web.webhooks import live_mirror_of, signature_matches

pytestmark = pytest.mark.integration


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_event(site, body: bytes, *, event_id: str = "900001", **headers) -> requests.Response:
    sent = {
        "Content-Type": "application/json",
        "X-Discourse-Instance": site.sandbox.url,
        "X-Discourse-Event-Id": event_id,
        "X-Discourse-Event-Type": "topic",
        "X-Discourse-Event": "topic_edited",
        "X-Discourse-Event-Signature": sign(body),
    }
    sent.update({name.replace("_", "-"): value for name, value in headers.items()})
    sent = {name: value for name, value in sent.items() if value is not None}
    return requests.post(site.url + "/webhooks/discourse", data=body, headers=sent, timeout=30)


@pytest.fixture(scope="module")
def hooked(site):
    """The site with the sandbox delivering its webhooks to Campus."""
    site.sandbox.configure_webhooks(
        site.url + "/webhooks/discourse", WEBHOOK_SECRET, retry_seconds=[0.2] * 4
    )
    yield site
    site.sandbox.configure_webhooks(None)


def settle(site) -> None:
    assert site.sandbox.wait_webhooks(60)
    assert live_mirror_of(site.app).wait_idle(60)


def topic_edit(site) -> bytes:
    forum = site.sandbox.state
    topic = next(t for t in forum.topics.values() if forum.is_counted_topic(t))
    payload = {
        "id": topic.id,
        "title": "Titre réécrit par un faussaire",
        "created_at": "2026-01-01T00:00:00Z",
    }
    return json.dumps({"topic": payload}).encode()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Discourse-Event-Signature": "sha256=" + "0" * 64}, 403),
        ({"X-Discourse-Event-Signature": None}, 401),
        ({"X-Discourse-Event-Signature": "sha1=abc"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"X-Discourse-Event": "category_created", "X-Discourse-Event-Type": "category"}, 400),
        ({"X-Discourse-Event-Id": "pas-un-nombre"}, 400),
    ],
)
def test_a_refused_delivery_writes_nothing(hooked, headers, status):
    before = dump(hooked.services.engine)
    response = post_event(hooked, topic_edit(hooked), **headers)
    assert response.status_code == status
    assert response.json()["error"] and WEBHOOK_SECRET not in response.text
    assert dump(hooked.services.engine) == before


def test_a_signature_made_with_another_secret_is_refused(hooked):
    body = topic_edit(hooked)
    response = post_event(hooked, body, X_Discourse_Event_Signature=sign(body, "autre-secret"))
    assert response.status_code == 403


def test_bad_json_with_a_good_signature_is_refused(hooked):
    before = dump(hooked.services.engine)
    assert post_event(hooked, b'{"topic": ').status_code == 400
    assert dump(hooked.services.engine) == before


def test_ping_is_answered_and_writes_nothing(hooked):
    before = dump(hooked.services.engine)
    response = post_event(
        hooked, b'{"ping": "OK"}', X_Discourse_Event="ping", X_Discourse_Event_Type="ping"
    )
    assert response.status_code == 200
    assert dump(hooked.services.engine) == before


def test_sandbox_changes_reach_the_mirror_without_any_sync(hooked):
    site = hooked
    site.sandbox.activity(
        seed=11,
        new_posts=20,
        edits=5,
        deletes=3,
        accepts=2,
        likes=8,
        unaccepts=1,
        joins=2,
        leaves=2,
    )
    settle(site)
    assert counts(site.services.engine) == site.sandbox.truth()
    failed = [d for d in site.sandbox.sandbox.webhooks.summaries() if d["state"] != "delivered"]
    assert failed == []


def test_replaying_deliveries_changes_nothing(hooked):
    site = hooked
    site.sandbox.activity(seed=12, new_posts=5, edits=2, deletes=1, likes=2)
    settle(site)
    before = dump(site.services.engine)
    with site.services.engine.connect() as conn:
        seen = len(conn.execute(select(WebhookEvent.event_id)).all())

    site.sandbox.sandbox.webhooks.replay()
    settle(site)

    assert dump(site.services.engine) == before
    with site.services.engine.connect() as conn:
        assert len(conn.execute(select(WebhookEvent.event_id)).all()) == seen


def test_the_endpoint_is_rate_limited(site):
    app = create_app(site.services, testing=True)
    app.config["CAMPUS_WEBHOOK_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    answers = [
        client.post("/webhooks/discourse", data=b"{}", headers={"Content-Type": "text/plain"})
        for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [415, 415, 429]


def test_signature_comparison_needs_the_exact_hmac():
    body = b'{"post": {}}'
    assert signature_matches("s3cret", body, sign(body, "s3cret"))
    assert not signature_matches("s3cret", body + b" ", sign(body, "s3cret"))
    assert not signature_matches("", body, sign(body, ""))


def test_a_signed_payload_with_an_unreadable_field_is_refused_and_writes_nothing(hooked):
    before = dump(hooked.services.engine)
    body = json.dumps(
        {"post": {"id": 1, "topic_id": 1, "post_number": 2, "created_at": "pas une date"}}
    ).encode()
    response = post_event(
        hooked,
        body,
        event_id="900002",
        X_Discourse_Event="post_created",
        X_Discourse_Event_Type="post",
    )
    assert response.status_code == 400 and "post_created" in response.json()["error"]
    assert dump(hooked.services.engine) == before


@pytest.mark.parametrize(
    ("body", "event_id"),
    [
        (b'{"post": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "900003"),
        (
            b'{"post": {"id": 1000000000000000000000000000000, "topic_id": 1, "post_number": 2,'
            b' "created_at": "2026-01-01T00:00:00Z"}}',
            "900004",
        ),
        (b'{"post": {"id": ' + b"1" * 5000 + b"}}", "900006"),
        (b'{"post": {}}', "1" + "0" * 30),
        (b'{"post": {}}', "-5"),
    ],
    ids=["deep-nesting", "huge-post-id", "5000-digits", "huge-event-id", "negative-event-id"],
)
def test_a_signed_malformed_body_is_refused_400_and_writes_nothing(hooked, body, event_id):
    before = dump(hooked.services.engine)
    response = post_event(
        hooked,
        body,
        event_id=event_id,
        X_Discourse_Event="post_created",
        X_Discourse_Event_Type="post",
    )
    assert response.status_code == 400 and response.json()["error"]
    assert dump(hooked.services.engine) == before


def test_a_refused_body_is_logged_with_its_reason(site, caplog):
    client = create_app(site.services, testing=True).test_client()
    body = b'{"post": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {
        "Content-Type": "application/json",
        "X-Discourse-Event-Id": "900005",
        "X-Discourse-Event-Type": "post",
        "X-Discourse-Event": "post_created",
        "X-Discourse-Event-Signature": sign(body),
    }
    with caplog.at_level(logging.WARNING, logger="web.webhooks"):
        answer = client.post("/webhooks/discourse", data=body, headers=headers)
    assert answer.status_code == 400
    assert "JSON" in answer.get_json()["error"]
    assert any("JSON" in record.getMessage() for record in caplog.records)
