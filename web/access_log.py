"""The web service's access log and the waitress queue warnings (logger `campus.access`).

One line per request when its response is done: method, path, status, duration in
milliseconds — as text (`GET /rapports 200 12.3 ms`) and as fields of the JSON-lines format.
Never the query string (the login's `sso`/`sig`, a `next=` address), never a header, a cookie,
a token or the client's address: an address beside the time of a `POST /barometre` would say
who answered the anonymous barometer when.

Waitress warns « Task queue depth is N » on every request that waits for a free thread; under a
burst that is thousands of identical lines. `QueueDepthFilter` lets one through a minute, with
the deepest queue seen meanwhile: the sign that `[web] threads` is too small for the load.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wsgi import ClosingIterator

log = logging.getLogger("campus.access")

QUEUE_LOGGER = "waitress.queue"
QUEUE_REPORT_SECONDS = 60.0


class AccessLog:
    """WSGI middleware writing one access-log line per request."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def recording_start(code: str, headers: list, exc_info: Any = None):
            status[:] = [code]
            return start_response(code, headers, exc_info)

        def done() -> None:
            code = int(status[0].split(" ", 1)[0]) if status else 500
            self.record(environ, code, (time.perf_counter() - started) * 1000)

        return ClosingIterator(self.app(environ, recording_start), [done])

    @staticmethod
    def record(environ: dict, status: int, milliseconds: float) -> None:
        """Log one request (path only: `PATH_INFO` under `SCRIPT_NAME`, no query string)."""
        method = environ.get("REQUEST_METHOD", "?")
        path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
        level = logging.ERROR if status >= 500 else logging.INFO
        log.log(
            level,
            "%s %s %d %.1f ms",
            method,
            path,
            status,
            milliseconds,
            extra={
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(milliseconds, 1),
            },
        )


class QueueDepthFilter(logging.Filter):
    """At most one « Task queue depth » line every `QUEUE_REPORT_SECONDS`, saying the deepest
    queue and how many lines were held back."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock
        self.last: float | None = None
        self.held = 0
        self.deepest = 0

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        self.deepest = max(self.deepest, int(depth) if isinstance(depth, int) else 0)
        now = self.clock()
        if self.last is not None and now - self.last < QUEUE_REPORT_SECONDS:
            self.held += 1
            return False
        record.msg = "Task queue depth is %d (deepest %d; %d similar lines held back in the last minute): raise [web] threads if this lasts"
        record.args = (int(depth) if isinstance(depth, int) else 0, self.deepest, self.held)
        self.last, self.held, self.deepest = now, 0, 0
        return True


def quiet_queue_warnings() -> None:
    """Install `QueueDepthFilter` on waitress's queue logger (once)."""
    queue = logging.getLogger(QUEUE_LOGGER)
    if not any(isinstance(existing, QueueDepthFilter) for existing in queue.filters):
        queue.addFilter(QueueDepthFilter())
