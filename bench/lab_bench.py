"""Benchmark: the QVT lab's `lab evaluate` and `lab export` (issue 13).

Targets: `lab evaluate` over 74 cooperatives × 60 months with 999 bootstrap draws under 30 s;
`lab export` from a 1M-post mirror under 60 s and 2 GB. Each measured run is a fresh process
(its own peak RSS and CPU time — user + system, less sensitive than wall time to a loaded
machine —, imports included in `process_seconds`):

- `estimator`: `analytics.lab_estimator.evaluate` on a simulated 74 × 60 cooperative-month panel of the 10
  default outcomes, staggered intervention (10 cooperatives, two cohorts), 999 draws;
- `evaluate`: what `campus lab evaluate` does on the 1M-post, 60-month mirror: load the mirror,
  build the outcome panel from the report's indicators for the 60 months, estimate, write files;
- `export`: what `campus lab export` does on the same mirror: both panels, codebook, README,
  manifest.

The mirror is generated once (seeded, bench/lab_mirror.py) and kept in the work folder.

    .venv/bin/python bench/lab_bench.py [--posts 1000000] [--workdir /tmp/campus-lab-bench]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURED = r"""
import json, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
import numpy as np
import pandas as pd
from analytics.lab_estimator import Design, default_outcomes, evaluate, mirror_months
OUTCOMES = default_outcomes()
part, url, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
starts = {f"coop-{i:02d}": ("2025-01" if i <= 5 else "2025-07") for i in range(1, 11)}
timings = {}
start = time.perf_counter()
if part == "estimator":
    rng = np.random.default_rng(1)
    months = [f"{2021 + (10 + i) // 12:04d}-{(10 + i) % 12 + 1:02d}" for i in range(60)]
    slugs = [f"coop-{i:02d}" for i in range(1, 75)]
    panel = pd.DataFrame({"cooperative": np.repeat(slugs, 60), "month": np.tile(months, 74)})
    for key in OUTCOMES:
        values = rng.normal(0.5, 0.1, len(panel))
        values[rng.random(len(panel)) < 0.05] = np.nan  # suppressed cooperative-months
        panel[key] = values
    built = time.perf_counter()
    results = evaluate(panel, starts, OUTCOMES, Design(draws=999))
    timings["estimate"] = round(time.perf_counter() - built, 2)
    timings["cells"] = int(sum(len(r.cells) for r in results))
    timings["estimated"] = sum(r.att is not None for r in results)
else:
    from sync.mirror.loader import load_forum
    from analytics.indicators import Activity
    from sync.mirror.db import connect
    forum = load_forum(connect(url))
    timings["load_forum"] = round(time.perf_counter() - start, 1)
    activity = Activity(forum)
    months = mirror_months(activity, "2026-10")
    timings["months"] = len(months)
    prepared = time.perf_counter()
    if part == "evaluate":
        from reports.lab_evaluation import evaluation_json, run_evaluation, write_evaluation
        from core.vocabulary import Intervention
        intervention = Intervention("bench", starts, "2025-01")
        design = Design(draws=999)
        results = run_evaluation(
            activity, intervention, OUTCOMES, design, min_group_size=5, until="2026-10"
        )
        estimated = time.perf_counter()
        data = evaluation_json(intervention, results, design, "fr")
        write_evaluation(data, results, out, lang="fr", tz="Europe/Paris",
                         generated_at=datetime.now(UTC), min_group_size=5)
        timings["panel_and_estimate"] = round(estimated - prepared, 1)
        timings["estimated"] = sum(r.att is not None for r in results)
    else:
        from reports.research_export import write_export
        manifest = write_export(activity, months, out, b"bench-research-key-0000",
                                min_group_size=5, generated_at=datetime.now(UTC))
        timings["panels_and_files"] = round(time.perf_counter() - prepared, 1)
        timings["person_month_rows"] = manifest["files"]["person_month.csv"]["rows"]
        timings["bytes"] = sum(f["bytes"] for f in manifest["files"].values())
timings["seconds"] = round(time.perf_counter() - start, 1)
usage = resource.getrusage(resource.RUSAGE_SELF)
timings["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
timings["peak_rss_mb"] = round(usage.ru_maxrss / 1024)
print(json.dumps(timings))
"""


def build_mirror(url: str, posts: int) -> dict:
    """Generate the 60-month mirror (once), in its own process: a child forked from a big parent
    would report the parent's peak memory as its own."""
    code = (
        "import json, sys, time; from bench.lab_mirror import fill_lab_mirror; "
        "from sync.mirror.db import connect; t = time.perf_counter(); "
        "w = fill_lab_mirror(connect(sys.argv[1]), posts=int(sys.argv[2])); "
        "print(json.dumps(w | {'seconds': round(time.perf_counter() - t, 1)}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, url, str(posts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(part: str, url: str, out: Path) -> dict:
    """Run one part in a fresh process; its own timings plus the wall time with imports."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, part, url, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result | {"process_seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/campus-lab-bench"))
    parser.add_argument(
        "--parts", default="estimator,evaluate,export", help="comma-separated parts to run"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    database = args.workdir / f"mirror-{args.posts}.db"
    url = f"sqlite:///{database}"
    parts = args.parts.split(",")
    if not database.exists() and set(parts) - {"estimator"}:
        print("mirror:", json.dumps(build_mirror(url, args.posts)), flush=True)
    for part in parts:
        out = args.workdir / f"{part}-{time.time_ns()}"
        print(f"{part}:", json.dumps(measure(part, url, out)), flush=True)


if __name__ == "__main__":
    main()
