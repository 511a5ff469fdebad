"""Benchmark: the DUERP drafts of 74 cooperatives (`campus report --duerp`).

Target (issue 20): under 60 s. The mirror is generated once (seeded, see bench/report_mirror.py)
and kept: 74 cooperatives of 108 members over a year, as many posts as asked (default: the
size of the sandbox's synthetic network, about 15,000 posts), with three actions a cooperative
in the directors' log and a cooperatives.csv where one cooperative in three declares 60
employees (the PAPRIPACT form). The measured run is a separate process that does what
`campus report --month 2026-10 --duerp` does: load the mirror, compute the report model over
the twelve months, read the log and the head counts, write the 74 `.odt` files. Wall time and
peak resident memory of that process are printed.

    .venv/bin/python bench/duerp_bench.py [--posts 15000] [--workdir /tmp/campus-duerp-bench]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

MEASURED = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
import cli
from app import duerp
from app.context import Campus
start = time.perf_counter()
config = cli.load_config(Path(sys.argv[1]), environ={"CAMPUS_DATABASE_URL": sys.argv[2]})
# the bench mirror's last month is October 2026: the drafts are written as of 1 November
campus = Campus(config, clock=lambda: datetime(2026, 11, 1, 8, tzinfo=UTC))
written = duerp.run(campus, "2026-10", out=Path(sys.argv[3]))
done = time.perf_counter()
print(json.dumps({"seconds": round(done - start, 1), "drafts": len(written["written"])}))
"""

MONTHS = tuple(f"2025-{m:02d}" for m in (11, 12)) + tuple(f"2026-{m:02d}" for m in range(1, 11))
KINDS = ("edt", "deconnexion", "entraide")
STATUSES = ("en_cours", "prevue", "faite")


def build_mirror(url: str, posts: int) -> dict:
    """Generate the mirror: 74 cooperatives of 108 members, a year of activity, the log."""
    from report_mirror import fill_mirror
    from sqlalchemy import text

    from sync.mirror import store
    from sync.mirror.db import connect

    engine = connect(url)
    replies_per_topic = 5.0
    started = time.perf_counter()
    slugs = fill_mirror(
        engine,
        cooperatives=74,
        members_per_coop=108,
        topics=int(posts / (1 + replies_per_topic * 0.85)),
        replies_per_topic=replies_per_topic,
        months=MONTHS,
        seed=2026,
    )
    with engine.begin() as conn:
        for slug in slugs:
            for number, (kind, status) in enumerate(zip(KINDS, STATUSES, strict=True)):
                store.add_action(
                    conn,
                    cooperative=slug,
                    month="2026-09",
                    axis="intensite",
                    indicator=None,
                    kind=kind,
                    title=f"Action {number + 1} de la coopérative",
                    started=date(2026, 9 + number % 2, 10),
                    status=status,
                    at=datetime(2026, 9, 10, 9),
                    author_id=1,
                    author="direction",
                )
        count = conn.execute(text("SELECT COUNT(*) FROM posts")).scalar_one()
    return {"posts": count, "seconds": round(time.perf_counter() - started, 1)}, slugs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=15_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/campus-duerp-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    database = args.workdir / f"mirror-{args.posts}.db"
    url = f"sqlite:///{database}"
    config = args.workdir / "campus.toml"
    if not database.exists():
        built, slugs = build_mirror(url, args.posts)
        print("mirror:", json.dumps(built), flush=True)
        rows = [
            f"{slug},Coopérative {number + 1},,,{60 if number % 3 == 0 else ''}"
            for number, slug in enumerate(slugs)
        ]
        (args.workdir / "cooperatives.csv").write_text(
            "slug,name,region,color,employees\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
    config.write_text("[reports]\nmin_group_size = 5\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(config), url, str(args.workdir / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result |= {"process_seconds": round(wall, 1), "peak_rss_mb": round(peak_mb)}
    print("duerp:", json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
