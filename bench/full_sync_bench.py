"""Cost of the worker's weekly full reconciliation (`sync --full` on an up-to-date mirror).

Command: `.venv/bin/python bench/full_sync_bench.py` — serves the sandbox `network` dataset
(seed 1, no server-side rate limit) in this process, mirrors it into a new SQLite file, applies a
week of activity (edits and deletions in quiet topics included), then runs one incremental sync and
one full sync, and prints their request counts and wall times as JSON. The time at the default
budget of 60 requests a minute is the lower bound `requests / 60` minutes.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.activity import apply  # noqa: E402
from sandbox.network import generate  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from sync.discourse.client import DiscourseAPI  # noqa: E402
from sync.discourse.settings import DiscourseSettings  # noqa: E402
from sync.mirror.db import connect  # noqa: E402
from sync.mirror.pull import SyncOptions, sync_mirror  # noqa: E402

KEY = "full-sync-bench-key-0123456789"


def timed_sync(engine, url: str, *, full: bool) -> dict:
    """One sync with a fresh client: requests, by endpoint, and seconds."""
    api = DiscourseAPI(
        DiscourseSettings(url=url, api_key=KEY, requests_per_minute=0), sleep=lambda _s: None
    )
    started = time.monotonic()
    summary = sync_mirror(engine, api, SyncOptions(), full=full)
    seconds = time.monotonic() - started
    return {
        "requests": summary.requests,
        "minutes_at_60_per_minute": round(summary.requests / 60, 1),
        "seconds_no_rate_limit": round(seconds, 1),
        "by_endpoint": dict(sorted(summary.requests_by_endpoint.items())),
    }


def main() -> None:
    network = generate(1, "network")
    with (
        SandboxServer(network, api_key=KEY, rate_limit_per_minute=0, seed=1) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        engine = connect(f"sqlite:///{Path(folder) / 'campus.db'}")
        first = timed_sync(engine, server.url, full=True)
        with server.state.lock:
            week = apply(
                server.state, seed=7, new_posts=300, edits=40, deletes=15, accepts=10, likes=200
            )
        incremental = timed_sync(engine, server.url, full=False)
        weekly_full = timed_sync(engine, server.url, full=True)
        engine.dispose()
    print(
        json.dumps(
            {
                "dataset": {"seed": 1, "size": "network", **network.summary},
                "week_of_activity": {
                    k: len(v) if isinstance(v, list) else v for k, v in week.items()
                },
                "first_full_sync": first,
                "incremental_after_the_week": incremental,
                "weekly_full_sync": weekly_full,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
