"""Benchmark: the month's reports for 74 cooperatives from a mirror of about 1M posts.

Target (issue 6): under 60 s and 2 GB. The mirror is generated once (seeded, see
bench/report_mirror.py) and kept; the measured run is a separate process that does what
`campus report --month 2026-10 --pdf` does: load the mirror, compute the month's report model
(every indicator of the network and each cooperative over the twelve trend months, trends,
points, ranking), draw the charts and write HTML, Markdown, CSV, JSON and the network PDF
(printed by the system Chromium). Wall time, CPU time and peak resident memory of that process
are printed.

    .venv/bin/python bench/report_bench.py [--posts 1000000] [--workdir /tmp/campus-report-bench]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURED = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from sync.mirror.loader import load_forum
from analytics.indicators import Activity
from reports.render import build_report
from sync.mirror.db import connect
start = time.perf_counter()
forum = load_forum(connect(sys.argv[1]))
loaded = time.perf_counter()
activity = Activity(forum)
prepared = time.perf_counter()
# the bench mirror's last month is October 2026: the report is written as of 1 November
folder = build_report(
    activity, "2026-10", Path(sys.argv[2]), with_pdf=True, now=datetime(2026, 11, 1, tzinfo=UTC)
)
done = time.perf_counter()
print(json.dumps({
    "seconds": round(done - start, 1),
    "load_forum": round(loaded - start, 1),
    "prepare": round(prepared - loaded, 1),
    "indicators_and_files": round(done - prepared, 1),
    "files": sum(1 for p in folder.rglob("*") if p.is_file()),
}))
"""

MONTHS = tuple(f"2025-{m:02d}" for m in (11, 12)) + tuple(f"2026-{m:02d}" for m in range(1, 11))


def build_mirror(url: str, posts: int) -> dict:
    """Generate the mirror: 74 cooperatives of 108 members, a year of activity."""
    from report_mirror import fill_mirror
    from sqlalchemy import text

    from sync.mirror.db import connect

    engine = connect(url)
    replies_per_topic = 5.0
    started = time.perf_counter()
    fill_mirror(
        engine,
        cooperatives=74,
        members_per_coop=108,
        topics=int(posts / (1 + replies_per_topic * 0.85)),
        replies_per_topic=replies_per_topic,
        months=MONTHS,
        seed=2026,
    )
    with engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM posts")).scalar_one()
    return {"posts": count, "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/campus-report-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    database = args.workdir / f"mirror-{args.posts}.db"
    url = f"sqlite:///{database}"
    if not database.exists():
        print("mirror:", json.dumps(build_mirror(url, args.posts)), flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, url, str(args.workdir / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result |= {
        "process_seconds": round(wall, 1),
        # CPU time (the process and Chromium) tells a change apart on a loaded machine
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }
    print("report:", json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
