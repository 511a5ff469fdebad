"""Client-side request budget: a token bucket that keeps Campus under Discourse's admin API limit.

Discourse allows 60 admin-API requests a minute per site, shared by every admin key of the site
(discourse-api.md §2), counted over a sliding minute. Spending the budget evenly, with a small
burst, and never more than `requests_per_minute` in any window of a minute (plus a margin for the
network delay between the client and the server's clock) avoids running into 429s that would
stall every other tool using the forum's API at the same time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 61.0  # Discourse's sliding minute, plus one second of network jitter


class TokenBucket:
    """`requests_per_minute` tokens refilled continuously, at most `burst` saved up, and never
    more than `requests_per_minute` requests within `WINDOW_SECONDS` (a full bucket after a pause
    must not push a minute's count over the limit).

    `acquire()` takes one token, sleeping (through the injected `sleep`) until one is available.
    A budget of 0 means unlimited: `acquire()` never waits.
    """

    def __init__(
        self,
        requests_per_minute: int,
        *,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_minute < 0:
            raise ValueError("requests_per_minute must be >= 0")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self.requests_per_minute = requests_per_minute
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._sent: deque[float] = deque(maxlen=requests_per_minute or None)

    @property
    def unlimited(self) -> bool:
        """True when no client-side budget applies."""
        return self.requests_per_minute == 0

    def _refill(self) -> None:
        now = self._clock()
        rate = self.requests_per_minute / 60.0
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * rate)
        self._updated = now

    def delay(self) -> float:
        """Seconds to wait before the next request may be sent (0 when a token is available and
        fewer than `requests_per_minute` requests went out in the last `WINDOW_SECONDS`)."""
        if self.unlimited:
            return 0.0
        self._refill()
        token_wait = max(0.0, (1.0 - self._tokens) * 60.0 / self.requests_per_minute)
        window_wait = 0.0
        if len(self._sent) == self.requests_per_minute:
            window_wait = max(0.0, self._sent[0] + WINDOW_SECONDS - self._updated)
        return max(token_wait, window_wait)

    def acquire(self) -> float:
        """Take one token, sleeping first if needed; return the seconds slept."""
        if self.unlimited:
            return 0.0
        waited = self.delay()
        if waited > 0:
            self._sleep(waited)
            self._refill()
        self._tokens -= 1.0
        self._sent.append(self._updated)
        return waited

    def drain(self) -> None:
        """Forget saved-up tokens, e.g. after a 429: the next requests go at the steady rate."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)
