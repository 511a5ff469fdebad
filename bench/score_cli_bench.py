"""Benchmark: `campus score` end to end on a SQLite mirror of about 1M posts.

Target (issue 12): under 5 s from the command to its output, loading the mirror included. The
mirror is the one `bench/report_bench.py` generates and keeps (`mirror-<posts>.db` in its
workdir); each run is a fresh `campus` process (imports, migration check, loading, scoring one
year, printing the top 10). Prints wall time of each run and the process's peak RSS.

    .venv/bin/python bench/score_cli_bench.py [--workdir /tmp/campus-report-bench] [--runs 3]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/campus-report-bench"))
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    database = args.workdir / f"mirror-{args.posts}.db"
    if not database.exists():
        sys.exit(f"{database} is missing: run bench/report_bench.py --workdir {args.workdir} first")
    config = args.workdir / "campus-score.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{database.name}"\n', encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("campus")),
        "--config", str(config), "score", "--period", "2026", "--top", "10",
    ]  # fmt: skip
    seconds = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        seconds.append(round(time.perf_counter() - started, 2))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"runs_s": seconds, "best_s": min(seconds), "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
