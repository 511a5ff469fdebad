"""`DiscourseAPI` against a real `python -m sandbox` process over HTTP, clean and under the
sandbox's injected faults: JSON and text/plain 429 storms, 502/503, stalls, bodies cut mid-way.

The process is shared by the test session (`sandbox_process`); each test clears faults and the
admin limit after itself. Waits go through a recording `sleep`, so Retry-After and backoff are
checked without the test sleeping; timeouts (stalls) are real.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import (
    DiscourseAuthError,
    DiscourseError,
    DiscourseNotFound,
    DiscourseUnreachable,
)
from sync.discourse.settings import DiscourseSettings

pytestmark = pytest.mark.integration

WRONG_KEY = "wrong-key-0b6d51e2"


@pytest.fixture
def sandbox(sandbox_process) -> Iterator:
    """The session's sandbox process with no faults, no admin limit and zeroed counters."""
    sandbox_process.set_faults()
    sandbox_process.set_rate_limit(0)
    sandbox_process.reset_stats()
    yield sandbox_process
    sandbox_process.set_faults()
    sandbox_process.set_rate_limit(0)


def make_api(sandbox, sleeps: list | None = None, **settings) -> DiscourseAPI:
    """A client of the sandbox with no client budget; every wait is recorded, none is slept."""
    values = {"url": sandbox.url, "api_key": sandbox.api_key, "requests_per_minute": 0}
    record = sleeps.append if sleeps is not None else (lambda seconds: None)
    return DiscourseAPI(DiscourseSettings(**{**values, **settings}), sleep=record, seed=3)


def forum_snapshot(api: DiscourseAPI) -> dict:
    """What the paging iterators read: every post id, topic id, active user and group member."""
    return {
        "posts": [post["id"] for page in api.iter_latest_posts() for post in page],
        "topics": [topic["id"] for page in api.iter_latest_topics() for topic in page],
        "users": [user["id"] for page in api.iter_users("active") for user in page],
        "entrepreneurs": [
            member["id"]
            for page in api.iter_group_members("entrepreneurs", limit=50)
            for member in page
        ],
    }


def test_iterators_read_every_item_once_and_count_every_request(sandbox):
    api = make_api(sandbox)
    snapshot = forum_snapshot(api)
    assert all(len(ids) == len(set(ids)) > 50 for ids in snapshot.values())
    assert len(snapshot["topics"]) == sandbox.truth()["topics"]
    stats = sandbox.stats()
    assert stats["total"] == api.total_requests
    assert stats["routes"]["GET /posts.json"] == api.request_counts["GET /posts.json"]


def test_mixed_fault_storm_changes_nothing_that_is_read(sandbox):
    clean = forum_snapshot(make_api(sandbox))
    sandbox.set_faults(
        seed=11, rate_limit=0.08, ip_rate_limit=0.04, bad_gateway=0.06, unavailable=0.06,
        drop=0.06, burst=3, retry_after=2,
    )  # fmt: skip
    sandbox.reset_stats()
    api = make_api(sandbox)
    assert forum_snapshot(api) == clean
    stats = sandbox.stats()
    assert set(stats["faults"]) == {
        "rate_limit",
        "ip_rate_limit",
        "bad_gateway",
        "unavailable",
        "drop",
    }
    assert stats["total"] == api.total_requests


def test_json_429_storm_waits_retry_after_each_time(sandbox):
    sandbox.set_faults(sequence=["rate_limit"] * 4, retry_after=3)
    sleeps: list[float] = []
    api = make_api(sandbox, sleeps)
    assert api.site()["categories"]
    assert sleeps == [3.0] * 4
    assert (api.rate_limit_hits, sandbox.stats()["statuses"]) == (4, {"200": 1, "429": 4})


def test_burst_option_storm_is_waited_out(sandbox):
    clean = list(make_api(sandbox).iter_latest_posts())
    sandbox.set_faults(seed=5, rate_limit=0.1, burst=5, retry_after=1)
    sandbox.reset_stats()
    sleeps: list[float] = []
    api = make_api(sandbox, sleeps)
    assert list(api.iter_latest_posts()) == clean
    assert sandbox.stats()["statuses"]["429"] >= 5
    assert sleeps == [1.0] * api.rate_limit_hits


def test_plain_text_429_of_the_ip_limiter_waits_retry_after(sandbox):
    sandbox.set_faults(sequence=["ip_rate_limit"] * 3, retry_after=4)
    sleeps: list[float] = []
    api = make_api(sandbox, sleeps)
    assert api.current_user()["username"] == "system"
    assert sleeps == [4.0] * 3


def test_real_admin_limit_that_never_lifts_gives_up_after_bounded_waits(sandbox):
    sandbox.set_rate_limit(2)
    sleeps: list[float] = []
    api = make_api(sandbox, sleeps)
    api.site()
    api.site()
    with pytest.raises(DiscourseError, match="limite encore le débit") as caught:
        api.site()
    assert caught.value.status == 429
    assert len(sleeps) == 8 and all(50 <= seconds <= 60 for seconds in sleeps)


def test_502_and_503_are_retried_with_backoff(sandbox):
    sandbox.set_faults(sequence=["bad_gateway", "unavailable"])
    sleeps: list[float] = []
    api = make_api(sandbox, sleeps)
    assert api.latest_topics()["topic_list"]["topics"]  # a pydiscourse method, same core
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.5 and 1.0 <= sleeps[1] <= 3.0
    assert sandbox.stats()["statuses"] == {"200": 1, "502": 1, "503": 1}


def test_502_that_persists_gives_up_naming_the_url_not_the_key(sandbox):
    sandbox.set_faults(bad_gateway=1.0)
    api = make_api(sandbox, max_retries=2)
    with pytest.raises(DiscourseUnreachable) as caught:
        api.site()
    message = str(caught.value)
    assert f"{sandbox.url}/site.json" in message and "(502)" in message
    assert sandbox.api_key not in message
    assert sandbox.stats()["statuses"] == {"502": 3}


def test_stalled_answer_times_out_and_is_asked_again(sandbox):
    sandbox.set_faults(sequence=["stall"], stall_seconds=3)
    api = make_api(sandbox, timeout=0.5)
    assert api.site()["categories"]
    assert api.request_counts["GET /site.json"] == 2


def test_body_cut_mid_transfer_is_fetched_again(sandbox):
    clean = next(make_api(sandbox).iter_latest_posts())
    sandbox.set_faults(sequence=["drop"])
    api = make_api(sandbox)
    assert next(api.iter_latest_posts()) == clean
    assert api.request_counts["GET /posts.json"] == 2


def test_post_whose_answer_was_cut_is_not_created_twice(sandbox):
    api = make_api(sandbox)
    campus = next(c for c in api.all_categories() if c["slug"] == "campus")
    sandbox.set_faults(sequence=["drop"])
    post = api.create_topic(
        "Réponse coupée en plein vol", "Un message dont la réponse est coupée.", campus["id"]
    )
    assert api.request_counts["POST /posts.json"] == 2
    titles = [t["title"] for page in api.iter_latest_topics() for t in page]
    assert titles.count("Réponse coupée en plein vol") == 1
    assert api.topic_with_posts(post["topic_id"])["posts_count"] == 1


def test_wrong_key_names_the_user_and_never_the_key(sandbox):
    api = make_api(sandbox, api_key=WRONG_KEY)
    with pytest.raises(DiscourseAuthError) as caught:
        api.current_user()
    assert "« system »" in str(caught.value)
    assert WRONG_KEY not in str(caught.value) and WRONG_KEY not in repr(api)


def test_unknown_topic_says_what_was_not_found(sandbox):
    with pytest.raises(DiscourseNotFound, match=r"/t/999999\.json"):
        make_api(sandbox).topic_with_posts(999999)
