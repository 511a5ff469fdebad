"""Request core of `sync.discourse.transport.Transport` (through `DiscourseAPI`): 429 waits, retries, errors, counters, key safety."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import (
    DiscourseAuthError,
    DiscourseError,
    DiscourseNotFound,
    DiscourseUnreachable,
)
from sync.discourse.settings import DiscourseSettings
from sync.discourse.transport import endpoint_template, wait_message
from tests.support.fake_time import FakeTime

URL = "https://forum.test"
KEY = "k3y-5ecret-abcdef0123456789"
USER = "campus-bot"
RATE_LIMIT_JSON = {
    "errors": ["You’ve performed this action too many times. Please wait 39 seconds."],
    "error_type": "rate_limit",
    "extras": {"wait_seconds": 39, "time_left": "39 seconds"},
}
PLAIN_429 = "Slow down, you're making too many requests.\nPlease retry again in 12 seconds.\n"


@pytest.fixture
def waits() -> list[tuple[float, str]]:
    return []


@pytest.fixture
def api(fake_time: FakeTime, waits: list) -> DiscourseAPI:
    settings = DiscourseSettings(
        url=URL + "/",
        api_key=KEY,
        api_username=USER,
        requests_per_minute=0,
        max_retries=3,
        fallback_wait_seconds=7.0,
    )
    return DiscourseAPI(
        settings,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        on_wait=lambda seconds, reason: waits.append((seconds, reason)),
        seed=1,
    )


def ok(path: str = "/site.json", body: dict | None = None) -> None:
    responses.add(responses.GET, URL + path, json=body if body is not None else {"ok": True})


@responses.activate
def test_sends_key_and_username_headers(api):
    ok()
    api.site()
    sent = responses.calls[0].request.headers
    assert (sent["Api-Key"], sent["Api-Username"]) == (KEY, USER)


@responses.activate
def test_json_429_waits_extras_wait_seconds(api, fake_time, waits):
    responses.add(responses.GET, URL + "/site.json", status=429, json=RATE_LIMIT_JSON)
    ok()
    assert api.site() == {"ok": True}
    assert fake_time.sleeps == [39.0]
    assert waits == [(39.0, "rate_limit")]


@responses.activate
def test_json_429_without_wait_seconds_uses_fallback(api, fake_time):
    responses.add(responses.GET, URL + "/site.json", status=429, json={"errors": ["slow"]})
    ok()
    api.site()
    assert fake_time.sleeps == [7.0]


@responses.activate
def test_plain_text_429_honours_retry_after(api, fake_time):
    responses.add(
        responses.GET,
        URL + "/site.json",
        status=429,
        body=PLAIN_429,
        content_type="text/plain",
        headers={"Retry-After": "12", "Discourse-Rate-Limit-Error-Code": "ip_10_secs_limit"},
    )
    ok()
    api.site()
    assert fake_time.sleeps == [12.0]


@responses.activate
def test_plain_text_429_without_header_uses_fallback(api, fake_time):
    responses.add(
        responses.GET, URL + "/site.json", status=429, body=PLAIN_429, content_type="text/plain"
    )
    ok()
    api.site()
    assert fake_time.sleeps == [7.0]


@responses.activate
def test_retry_after_is_preferred_to_wait_seconds(api, fake_time):
    responses.add(
        responses.GET,
        URL + "/site.json",
        status=429,
        json=RATE_LIMIT_JSON,
        headers={"Retry-After": "5"},
    )
    ok()
    api.site()
    assert fake_time.sleeps == [5.0]


@responses.activate
def test_429_retries_are_bounded(api, fake_time):
    responses.add(responses.GET, URL + "/site.json", status=429, json=RATE_LIMIT_JSON)
    with pytest.raises(DiscourseError) as caught:
        api.site()
    assert caught.value.status == 429
    assert len(responses.calls) == 9
    assert len(fake_time.sleeps) == 8


@responses.activate
def test_503_is_retried_with_backoff(api, fake_time, waits):
    responses.add(responses.GET, URL + "/site.json", status=503, body="maintenance")
    ok()
    assert api.site() == {"ok": True}
    assert len(fake_time.sleeps) == 1 and 0.5 <= fake_time.sleeps[0] <= 1.5
    assert waits[0][1] == "retry"


@responses.activate
def test_backoff_grows_exponentially(api, fake_time):
    for _ in range(3):
        responses.add(responses.GET, URL + "/site.json", status=504)
    ok()
    api.site()
    first, second, third = fake_time.sleeps
    assert first <= 1.5 and 1.0 <= second <= 3.0 and 2.0 <= third <= 6.0


@responses.activate
def test_5xx_gives_up_after_max_retries_naming_url(api):
    responses.add(responses.GET, URL + "/site.json", status=502)
    with pytest.raises(DiscourseUnreachable) as caught:
        api.site()
    assert len(responses.calls) == 4
    assert URL + "/site.json" in str(caught.value)
    assert caught.value.status == 502


@responses.activate
def test_500_is_not_retried(api):
    responses.add(responses.GET, URL + "/site.json", status=500, json={"errors": ["boom"]})
    with pytest.raises(DiscourseError, match="boom"):
        api.site()
    assert len(responses.calls) == 1


@responses.activate
def test_connection_error_names_the_url(api):
    responses.add(
        responses.GET, URL + "/site.json", body=requests.exceptions.ConnectionError("refused")
    )
    with pytest.raises(DiscourseUnreachable) as caught:
        api.site()
    assert URL + "/site.json" in str(caught.value)
    assert len(responses.calls) == 4
    assert KEY not in str(caught.value)


@responses.activate
def test_timeout_is_retried(api):
    responses.add(responses.GET, URL + "/site.json", body=requests.exceptions.ReadTimeout())
    ok()
    assert api.site() == {"ok": True}


@responses.activate
def test_body_cut_mid_transfer_is_retried(api):
    responses.add(
        responses.GET,
        URL + "/site.json",
        body=requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
    )
    ok()
    assert api.site() == {"ok": True}


@responses.activate
def test_truncated_json_body_is_retried(api):
    responses.add(
        responses.GET,
        URL + "/site.json",
        body='{"categories": [{"id"',
        content_type="application/json",
    )
    ok()
    assert api.site() == {"ok": True}
    assert len(responses.calls) == 2


@responses.activate
def test_truncated_json_body_gives_up_with_clear_error(api):
    responses.add(responses.GET, URL + "/site.json", body='{"cat', content_type="application/json")
    with pytest.raises(DiscourseError, match="incomplète"):
        api.site()


@responses.activate
def test_403_names_user_and_never_the_key(api, caplog):
    caplog.set_level(logging.DEBUG)
    responses.add(
        responses.GET,
        URL + "/session/current.json",
        status=403,
        json={"errors": ["invalid_api_credentials"], "error_type": "invalid_access"},
    )
    with pytest.raises(DiscourseAuthError) as caught:
        api.current_user()
    message = str(caught.value)
    assert USER in message and URL + "/session/current.json" in message
    assert "CAMPUS_DISCOURSE_API_KEY" in message
    assert KEY not in message and KEY not in repr(caught.value)
    assert KEY not in caplog.text and KEY not in repr(api)


@responses.activate
def test_403_echoing_the_key_is_redacted(api):
    responses.add(responses.GET, URL + "/site.json", status=403, json={"errors": [f"bad {KEY}"]})
    with pytest.raises(DiscourseAuthError) as caught:
        api.site()
    assert KEY not in str(caught.value)


@responses.activate
def test_403_message_in_english(api, monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "en")
    responses.add(responses.GET, URL + "/site.json", status=403, json={"errors": ["no"]})
    with pytest.raises(DiscourseAuthError, match="refused the API key or the user 'campus-bot'"):
        api.site()


@responses.activate
def test_404_says_what_was_not_found(api):
    responses.add(responses.GET, URL + "/t/999.json", status=404, json={"errors": ["not found"]})
    with pytest.raises(DiscourseNotFound, match=r"Introuvable.*/t/999\.json"):
        api.topic_with_posts(999)


@responses.activate
def test_422_carries_discourse_errors(api):
    responses.add(
        responses.POST,
        URL + "/posts.json",
        status=422,
        json={"errors": ["Title is too short (minimum is 15 characters)"]},
    )
    with pytest.raises(DiscourseError, match="Title is too short") as caught:
        api.create_topic("Court", "Un texte assez long pour passer.", 3)
    assert caught.value.status == 422


@responses.activate
def test_redirect_is_not_followed(api):
    responses.add(
        responses.GET,
        URL + "/site.json",
        status=302,
        headers={"Location": URL + "/login"},
    )
    with pytest.raises(DiscourseError, match="redirigé"):
        api.site()
    assert len(responses.calls) == 1


@responses.activate
def test_html_answer_is_reported_as_not_discourse(api):
    responses.add(responses.GET, URL + "/site.json", body="<html></html>", content_type="text/html")
    with pytest.raises(DiscourseError, match="pas du JSON"):
        api.site()


@responses.activate
def test_requests_are_counted_by_endpoint_template(api):
    ok("/t/1.json", {"post_stream": {"posts": [], "stream": []}})
    ok("/t/2.json", {"post_stream": {"posts": [], "stream": []}})
    responses.add(responses.POST, URL + "/post_actions.json", json={"id": 5})
    api.topic_with_posts(1)
    api.topic_with_posts(2)
    api.like(5)
    assert api.request_counts == {"GET /t/{id}.json": 2, "POST /post_actions.json": 1}
    assert (api.total_requests, api.write_requests) == (3, 1)


@responses.activate
def test_retries_are_counted(api):
    responses.add(responses.GET, URL + "/site.json", status=503)
    ok()
    api.site()
    assert api.request_counts["GET /site.json"] == 2


@responses.activate
def test_pydiscourse_methods_use_the_same_core(api, fake_time):
    responses.add(responses.GET, URL + "/latest.json", status=429, json=RATE_LIMIT_JSON)
    ok("/latest.json", {"topic_list": {"topics": []}})
    api.latest_topics()
    assert fake_time.sleeps == [39.0]
    assert api.request_counts["GET /latest.json"] == 2


@responses.activate
def test_budget_throttles_requests(fake_time, waits):
    settings = DiscourseSettings(url=URL, api_key=KEY, requests_per_minute=30)
    api = DiscourseAPI(settings, sleep=fake_time.sleep, clock=fake_time.clock, on_wait=None)
    ok()
    for _ in range(5):
        api.site()
    # burst of 3, then one request every 2 s at 30/min
    assert fake_time.sleeps == pytest.approx([2.0, 2.0])


@pytest.mark.parametrize(
    ("verb", "path", "template"),
    [
        ("get", "/t/42.json", "GET /t/{id}.json"),
        ("GET", "/t/42/posts.json?post_ids[]=1", "GET /t/{id}/posts.json"),
        ("PUT", "/groups/12/members.json", "PUT /groups/{id}/members.json"),
        ("GET", "/groups/coop-a/members.json", "GET /groups/{name}/members.json"),
        ("GET", "/groups/search.json", "GET /groups/search.json"),
        ("GET", "/u/jean.dupont.json", "GET /u/{username}.json"),
        ("GET", "/admin/users/list/active.json", "GET /admin/users/list/active.json"),
        ("POST", "/solution/accept", "POST /solution/accept"),
    ],
)
def test_endpoint_template(verb, path, template):
    assert endpoint_template(verb, path) == template


def test_wait_message_is_french_by_default():
    assert (
        wait_message(39, "rate_limit") == "Limite de débit de Discourse atteinte : attente de 39 s."
    )


@responses.activate
def test_retry_after_as_http_date(api, fake_time):
    responses.add(
        responses.GET,
        URL + "/site.json",
        status=429,
        body="slow down",
        content_type="text/plain",
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )
    ok()
    api.site()
    assert fake_time.sleeps == [0.0]  # a date in the past: retry at once


@responses.activate
def test_unreasonably_long_wait_stops_instead_of_sleeping(api, fake_time):
    responses.add(
        responses.GET, URL + "/site.json", status=429, json={}, headers={"Retry-After": "86400"}
    )
    with pytest.raises(DiscourseError, match="86400 s"):
        api.site()
    assert fake_time.sleeps == []


@responses.activate
def test_long_budget_waits_are_announced(fake_time, waits):
    settings = DiscourseSettings(url=URL, api_key=KEY, requests_per_minute=6)
    api = DiscourseAPI(
        settings,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        on_wait=lambda seconds, reason: waits.append((seconds, reason)),
    )
    ok()
    for _ in range(4):
        api.site()
    assert waits == [(pytest.approx(10.0), "budget")]


@responses.activate
def test_a_short_key_never_mangles_messages(fake_time):
    settings = DiscourseSettings(url="https://example.org", api_key="e", requests_per_minute=0)
    api = DiscourseAPI(settings, sleep=fake_time.sleep, clock=fake_time.clock)
    responses.add(responses.GET, "https://example.org/site.json", status=404, json={})
    with pytest.raises(DiscourseNotFound) as missing:
        api.site()
    assert "https://example.org/site.json" in str(missing.value)


@responses.activate
def test_without_on_wait_each_retry_is_logged_once_in_french(fake_time, caplog, monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")
    settings = DiscourseSettings(url=URL, api_key=KEY, requests_per_minute=0, max_retries=3)
    api = DiscourseAPI(settings, sleep=fake_time.sleep, clock=fake_time.clock, seed=1)
    responses.add(responses.GET, URL + "/site.json", status=503)
    ok()
    with caplog.at_level(logging.DEBUG, logger="sync.discourse.transport"):
        api.site()
    shown = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert len(shown) == 1 and "nouvel essai" in shown[0], shown
