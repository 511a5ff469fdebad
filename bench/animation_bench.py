"""How long the animators' dashboard (`GET /animation`) takes to gather its data.

Syncs a sandbox network into a SQLite mirror, writes one month's reports, then times
`app.animation.dashboard` (everything the page shows, in one call: health and jobs, sync runs,
barometer participation, relay queue and suggestions, the score's candidates, the reports'
vigilance counts) a few times and prints the median and the slowest. Usage: `.venv/bin/python bench/animation_bench.py --size network [--runs 5]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cli  # noqa: E402
from app import animation  # noqa: E402
from app.context import Campus  # noqa: E402
from reports.render import build_report  # noqa: E402
from sandbox.network import generate  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from sync.mirror import db  # noqa: E402
from sync.mirror.loader import load_forum  # noqa: E402

MONTH = "2026-10"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the sandbox's year ends on 31 October 2026


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="network", choices=("small", "network", "sparse"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    network = generate(1, args.size)
    with (
        tempfile.TemporaryDirectory() as folder,
        SandboxServer(network, rate_limit_per_minute=0) as server,
    ):
        workdir = Path(folder)
        (workdir / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
        (workdir / "campus.toml").write_text(
            f'[discourse]\nurl = "{server.url}"\nrequests_per_minute = 0\n'
            "[sync]\nreconcile_days = 3650\n",
            encoding="utf-8",
        )
        config = cli.load_config(
            workdir / "campus.toml", {"CAMPUS_DISCOURSE_API_KEY": server.api_key}
        )
        campus = Campus(config, clock=lambda: NOW)  # the network's last days: a live month
        campus.allow_new_mirror()
        started = time.perf_counter()
        from app import sync as mirror_sync

        mirror_sync.run(campus, full=True)
        synced = time.perf_counter() - started
        engine = db.connect(campus.database_url)
        build_report(
            load_forum(engine), MONTH, campus.reports_dir, tz=campus.timezone, now=campus.now()
        )
        names = {coop.slug: coop.name for coop in campus.cooperatives()}
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            data = animation.dashboard(campus, names)
            times.append(time.perf_counter() - started)
        print(
            f"size={args.size} cooperatives={len(names)} sync={synced:.1f}s "
            f"runs={args.runs} median={statistics.median(times):.2f}s max={max(times):.2f}s "
            f"queue={len(data.queue)} candidates={len(data.candidates)} "
            f"reports={len(data.reports)}"
        )


if __name__ == "__main__":
    main()
