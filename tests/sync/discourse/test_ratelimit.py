"""The client-side token bucket, driven by a fake clock."""

from __future__ import annotations

import random

import pytest

from sandbox.limits import AdminRateLimiter
from sync.discourse.ratelimit import WINDOW_SECONDS, TokenBucket
from tests.support.fake_time import FakeTime


def bucket(fake_time: FakeTime, per_minute: int, burst: int = 3) -> TokenBucket:
    return TokenBucket(per_minute, burst=burst, clock=fake_time.clock, sleep=fake_time.sleep)


def test_burst_goes_through_without_waiting(fake_time):
    limiter = bucket(fake_time, 60)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert fake_time.sleeps == []


def test_after_the_burst_requests_are_spaced_at_the_rate(fake_time):
    limiter = bucket(fake_time, 60)
    for _ in range(6):
        limiter.acquire()
    assert fake_time.sleeps == pytest.approx([1.0, 1.0, 1.0])


def test_sixty_per_minute_over_three_minutes(fake_time):
    limiter = bucket(fake_time, 60)
    for _ in range(180):
        limiter.acquire()
    assert 177.0 <= fake_time.now <= 183.0


def test_never_more_than_the_budget_in_any_window_even_after_pauses(fake_time):
    limiter = bucket(fake_time, 60)
    sent = []
    for index in range(400):
        limiter.acquire()
        sent.append(fake_time.now)
        fake_time.now += 45 if index % 100 == 99 else 0.05  # a request, or a pause to process
    assert all(
        later - first >= WINDOW_SECONDS for first, later in zip(sent, sent[60:], strict=False)
    )


def test_default_budget_never_trips_discourse_admin_limit(fake_time):
    """Discourse's limiter (as the sandbox mirrors it) sees each request a little later than it
    leaves; with the default budget of 60/min it never refuses one."""
    jitter = random.Random(7)
    arrival = 0.0
    discourse = AdminRateLimiter(60, clock=lambda: arrival)
    limiter = bucket(fake_time, 60)
    refused = 0
    for index in range(600):
        limiter.acquire()
        arrival = fake_time.now + jitter.uniform(0.0, 0.5)
        refused += discourse.acquire() is not None
        fake_time.now = arrival + jitter.uniform(0.0, 0.5)
        if index % 100 == 99:
            fake_time.now += 45  # the caller works on what it read; the bucket fills up
    assert refused == 0


def test_idle_time_refills_up_to_the_burst_only(fake_time):
    limiter = bucket(fake_time, 60)
    for _ in range(3):
        limiter.acquire()
    fake_time.now += 3600
    for _ in range(4):
        limiter.acquire()
    assert fake_time.sleeps == pytest.approx([1.0])


def test_zero_means_unlimited(fake_time):
    limiter = bucket(fake_time, 0)
    for _ in range(1000):
        limiter.acquire()
    assert fake_time.sleeps == []


def test_drain_drops_saved_tokens(fake_time):
    limiter = bucket(fake_time, 60)
    limiter.drain()
    assert limiter.delay() == pytest.approx(1.0)


def test_negative_budget_is_refused():
    with pytest.raises(ValueError):
        TokenBucket(-1)
