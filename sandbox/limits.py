"""Admin API rate limit, seeded fault injection and request counters of the sandbox.

The rate limiter mirrors Discourse's `RateLimiter.new(nil, "admin_api_min", limit, 60)`: one
sliding 60-second window per site, shared by every admin key. Faults are drawn from a
`random.Random(seed)` so a test that sends the same requests sees the same faults.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

RATE_LIMIT_CODE = "admin_api_key_rate_limit"
IP_LIMIT_CODE = "ip_10_secs_limit"
FAULT_KINDS = ("rate_limit", "ip_rate_limit", "bad_gateway", "unavailable", "stall", "drop")


class AdminRateLimiter:
    """At most `per_minute` admin API requests in any 60 s window (0 = unlimited)."""

    def __init__(self, per_minute: int = 60, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def set_limit(self, per_minute: int) -> None:
        """Change the limit (and forget past hits, like a restarted Discourse would not)."""
        with self._lock:
            self.per_minute = per_minute
            self._hits.clear()

    def acquire(self) -> int | None:
        """Record a request; None when allowed, else the seconds to wait before retrying."""
        with self._lock:
            if self.per_minute <= 0:
                return None
            now = self.clock()
            while self._hits and now - self._hits[0] >= 60:
                self._hits.popleft()
            if len(self._hits) < self.per_minute:
                self._hits.append(now)
                return None
            return max(1, math.ceil(60 - (now - self._hits[0])))


def rate_limit_body(wait_seconds: int) -> dict:
    """Discourse's JSON 429 body (RateLimiter::LimitExceeded rendered by ApplicationController)."""
    unit = "second" if wait_seconds == 1 else "seconds"
    return {
        "errors": [
            f"You’ve performed this action too many times. Please wait {wait_seconds} {unit} before trying again."
        ],
        "error_type": "rate_limit",
        "extras": {"wait_seconds": wait_seconds, "time_left": f"{wait_seconds} {unit}"},
    }


def ip_rate_limit_text(wait_seconds: int) -> str:
    """The text/plain 429 body of Discourse's per-IP Rack middleware."""
    return (
        "Slow down, you're making too many requests.\n"
        f"Please retry again in {wait_seconds} seconds.\n"
        f"Error code: {IP_LIMIT_CODE}.\n"
    )


@dataclass
class FaultConfig:
    """Probabilities (0..1) of each fault per API request, and their parameters.

    `sequence` lists faults forced on the next requests, in order, before any random draw
    (e.g. `["rate_limit", "bad_gateway"]`); an empty string in it means "no fault".
    `burst` makes a randomly drawn 429 a storm: that many consecutive requests get it.
    """

    seed: int = 0
    rate_limit: float = 0.0
    ip_rate_limit: float = 0.0
    bad_gateway: float = 0.0
    unavailable: float = 0.0
    stall: float = 0.0
    drop: float = 0.0
    stall_seconds: float = 2.0
    retry_after: int = 1
    burst: int = 1
    sequence: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> FaultConfig:
        """Build from a JSON config; unknown keys or bad values raise ValueError."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        config = cls(**data)
        for kind in FAULT_KINDS:
            probability = float(getattr(config, kind))
            if not 0 <= probability <= 1:
                raise ValueError(f"{kind} must be a probability between 0 and 1")
            setattr(config, kind, probability)
        if int(config.burst) < 1:
            raise ValueError("burst must be at least 1")
        config.burst = int(config.burst)
        bad = [kind for kind in config.sequence if kind and kind not in FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds in sequence: {', '.join(bad)}")
        config.sequence = list(config.sequence)
        return config


class FaultInjector:
    """Decides, per API request, which fault (if any) to inject."""

    def __init__(self, config: FaultConfig | None = None):
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration and restart the random sequence from its seed."""
        with self._lock:
            self.config = config
            self._pending = deque(config.sequence)
            self._random = random.Random(config.seed)

    def draw(self) -> str | None:
        """The fault for the next request: forced sequence first, then a seeded random draw."""
        with self._lock:
            if self._pending:
                return self._pending.popleft() or None
            probabilities = [getattr(self.config, kind) for kind in FAULT_KINDS]
            if not any(probabilities):
                return None
            roll = self._random.random()
            for kind, probability in zip(FAULT_KINDS, probabilities, strict=True):
                if roll < probability:
                    if kind in ("rate_limit", "ip_rate_limit"):
                        self._pending.extend([kind] * (self.config.burst - 1))
                    return kind
                roll -= probability
            return None


class RequestCounters:
    """Counts of API requests by `METHOD /template`, in total, writes, statuses and faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self.routes: Counter[str] = Counter()
            self.statuses: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.total = 0
            self.writes = 0

    def record(self, method: str, route: str, status: int, fault: str | None = None) -> None:
        """Count one answered API request."""
        with self._lock:
            self.total += 1
            if method in ("POST", "PUT", "DELETE"):
                self.writes += 1
            self.routes[f"{method} {route}"] += 1
            self.statuses[str(status)] += 1
            if fault:
                self.faults[fault] += 1

    def snapshot(self) -> dict:
        """The counters as JSON-ready data."""
        with self._lock:
            return {
                "total": self.total,
                "writes": self.writes,
                "routes": dict(sorted(self.routes.items())),
                "statuses": dict(sorted(self.statuses.items())),
                "faults": dict(sorted(self.faults.items())),
            }
