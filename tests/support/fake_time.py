"""An injected clock and sleep for the client and budget tests: nothing really waits."""

from __future__ import annotations


class FakeTime:
    """Sleeping advances the clock and is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
