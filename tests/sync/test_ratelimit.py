"""The client-side token bucket, driven by a fake clock."""

from __future__ import annotations

import pytest

from sync.ratelimit import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


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


def test_sixty_per_minute_over_two_minutes(fake_time):
    limiter = bucket(fake_time, 60)
    for _ in range(123):
        limiter.acquire()
    assert fake_time.now == pytest.approx(120.0)


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
