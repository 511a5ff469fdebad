"""How a long command shows where it is: at Discourse's default 60 requests a minute, setting up
the network's groups and categories takes minutes, and nobody should wonder whether it hangs.

The library reports two things, both optional: text lines (`line`, e.g. « [12/306] créer groupe
coop-alpha ») and, where the amount of work is known, its position (`step(done, total)`).

- On a terminal, the position is a progress bar with the time left (tqdm) and the lines are
  written above it.
- Without a terminal (cron, a log file), at most one line a minute: the position with the time
  left, else the latest line. A step shorter than a minute prints nothing.
- With `-v`, every line is printed, bar or not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

from core.i18n import _, format_number

LINE_INTERVAL_SECONDS = 60.0


class Progress:
    """Lines and steps of one long command, shown on `stream` (stderr)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        terminal: bool,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
        interval: float = LINE_INTERVAL_SECONDS,
    ) -> None:
        self.stream, self.terminal, self.verbose = stream, terminal, verbose
        self.clock, self.interval = clock, interval
        self.started = self.last_shown = clock()
        self.bar: tqdm | None = None
        self.position: tuple[int, int] | None = None

    def line(self, text: str) -> None:
        """A text line: always with -v, above the bar on a terminal, else once a minute."""
        if self.verbose or self.terminal:
            if self.bar is not None:
                self.bar.write(text, file=self.stream)
            else:
                print(text, file=self.stream, flush=True)
            return
        if self.position is None and self._minute_passed():
            print(text, file=self.stream, flush=True)

    def step(self, done: int, total: int) -> None:
        """`done` units of `total`: the bar on a terminal, a line a minute otherwise."""
        if self.terminal:
            if self.bar is None:
                self.bar = tqdm(total=total, file=self.stream, unit="req", leave=False)
            self.bar.total = total
            self.bar.update(done - self.bar.n)
            return
        self.position = (done, total)
        if self._minute_passed() or (self.verbose and done == total):
            print(self._position_line(done, total), file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the bar (the command's own summary follows)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _minute_passed(self) -> bool:
        now = self.clock()
        if now - self.last_shown < self.interval:
            return False
        self.last_shown = now
        return True

    def _position_line(self, done: int, total: int) -> str:
        elapsed = self.clock() - self.started
        left = elapsed * (total - done) / done if done else None
        percent = format_number(100 * done / total if total else 100, 0)
        if left is None:
            return _(
                "Progression : {done}/{total} ({percent} %).",
                done=done,
                total=total,
                percent=percent,
            )
        return _(
            "Progression : {done}/{total} ({percent} %), encore environ {minutes} min.",
            done=done,
            total=total,
            percent=percent,
            minutes=format_number(max(1, round(left / 60)), 0),
        )
