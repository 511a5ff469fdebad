"""Sync benchmark: Campus against perceval's Discourse backend on the same sandbox forum.

    .venv/bin/python bench/sync_bench.py [--seed 1] [--json bench/sync_results.json]

Starts `python -m sandbox --size network` (74 cooperatives, ~8,000 members, ~2,500 topics,
~16,000 posts; no server-side rate limit) and measures, each client in its own process:

- perceval: `Discourse(url, api_token=…, api_username="system").fetch()` (every topic with its
  posts): requests, wall time, peak memory;
- Campus full sync into a new SQLite file: requests (all of them, and content only: posts,
  listing and topic views, the part perceval also does), wall time, posts ingested per second,
  peak memory, and whether `campus stats` equals the sandbox's truth;
- Campus idle incremental sync (nothing changed): requests;
- Campus incremental sync after 100 new posts (`/_sandbox/activity`): requests.

Requests are counted by the sandbox itself (`/_sandbox/stats`), so both clients are counted the
same way. Wall times are without any rate limit; at Discourse's default 60 admin requests per
minute a run lasts at least requests / 60 minutes, which the table also shows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"
CONTENT_ENDPOINTS = (
    "GET /posts.json",
    "GET /latest.json",
    "GET /t/{id}.json",
    "GET /t/{id}/posts.json",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- measured children


def run_perceval(url: str) -> dict:
    from perceval.backends.core.discourse import Discourse

    started = time.monotonic()
    topics = posts = 0
    for item in Discourse(url, api_token=API_KEY, api_username="system").fetch():
        topics += 1
        posts += len(item["data"]["post_stream"]["posts"])
    return {
        "seconds": time.monotonic() - started,
        "topics": topics,
        "posts": posts,
        "peak_mb": _peak_mb(),
    }


def run_campus(url: str, db_url: str) -> dict:
    from sync.discourse.client import DiscourseAPI
    from sync.discourse.settings import DiscourseSettings
    from sync.mirror.db import connect
    from sync.mirror.pull import SyncOptions, sync_mirror
    from sync.mirror.stats import mirror_stats

    api = DiscourseAPI(DiscourseSettings(url=url, api_key=API_KEY, requests_per_minute=1_000_000))
    engine = connect(db_url)
    summary = sync_mirror(engine, api, SyncOptions())
    stats = mirror_stats(engine)
    return {**summary.as_json(), "stats": stats, "peak_mb": _peak_mb()}


# --------------------------------------------------------------------------- orchestration


def _child(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class Sandbox:
    def __init__(self, seed: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "sandbox", "--port", str(self.port), "--size", "network"]
        self.process = subprocess.Popen(
            [*command, "--seed", str(seed), "--rate-limit", "0"],
            cwd=ROOT,
            env={**os.environ, "CAMPUS_SANDBOX_API_KEY": API_KEY},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self.control("GET", "stats")
                return
            except requests.RequestException:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.2)

    def control(self, method: str, name: str, payload: dict | None = None) -> dict:
        response = requests.request(
            method,
            f"{self.url}/_sandbox/{name}",
            json=payload,
            headers={"Api-Key": API_KEY, "Api-Username": "system"},
            timeout=120,
        )
        response.raise_for_status()
        return response.json()

    def measure(self, *child_args: str) -> dict:
        self.control("POST", "stats/reset")
        result = _child(*child_args)
        result["sandbox_requests"] = self.control("GET", "stats")
        return result

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()

    sandbox = Sandbox(args.seed)
    try:
        truth = sandbox.control("GET", "truth")
        perceval = sandbox.measure("perceval", sandbox.url)
        with tempfile.TemporaryDirectory() as folder:
            db_url = f"sqlite:///{folder}/bench.db"
            full = sandbox.measure("campus", sandbox.url, db_url)
            idle = sandbox.measure("campus", sandbox.url, db_url)
            sandbox.control("POST", "activity", {"seed": 5, "new_posts": 100})
            new_posts = sandbox.measure("campus", sandbox.url, db_url)
            truth_after = sandbox.control("GET", "truth")
    finally:
        sandbox.stop()

    results = {
        "dataset": {"seed": args.seed, "size": "network", **truth},
        "perceval": perceval,
        "campus_full": full,
        "campus_idle": idle,
        "campus_100_new_posts": new_posts,
        # the counts the sandbox knows (stats also gives the times of the last sync and webhook)
        "full_equals_truth": {k: full["stats"][k] for k in truth} == truth,
        "after_new_posts_equals_truth": {k: new_posts["stats"][k] for k in truth_after}
        == truth_after,
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(report(results))


def report(results: dict) -> str:
    """The Markdown table recorded in bench/RESULTS.md."""
    perceval, full = results["perceval"], results["campus_full"]
    p_requests = perceval["sandbox_requests"]["total"]
    f_requests = full["sandbox_requests"]["total"]
    content = sum(full["sandbox_requests"]["routes"].get(route, 0) for route in CONTENT_ENDPOINTS)
    posts = full["stats"]["posts"] + full["stats"]["deleted_posts"]
    data = results["dataset"]
    lines = [
        f"Dataset: sandbox `network`, seed {data['seed']}: {data['topics']} topics, {data['posts']} "
        f"live posts, {data['users']} members, {data['groups']} groups.",
        "",
        "| measure | perceval | Campus |",
        "|---|---:|---:|",
        f"| full sync: requests | {p_requests} | {f_requests} ({f_requests / p_requests:.1%}) |",
        f"| full sync: topic and post requests only | {p_requests} | {content} ({content / p_requests:.1%}) |",
        f"| full sync: wall time, no rate limit | {perceval['seconds']:.1f} s | {full['seconds']:.1f} s |",
        f"| full sync at 60 requests/min (lower bound) | {p_requests / 60:.0f} min | {f_requests / 60:.0f} min |",
        f"| posts ingested per second, no rate limit | {perceval['posts'] / perceval['seconds']:.0f} | {posts / full['seconds']:.0f} |",
        f"| peak memory (max RSS) | {perceval['peak_mb']:.0f} MB | {full['peak_mb']:.0f} MB |",
        f"| incremental sync, nothing new: requests | — | {results['campus_idle']['sandbox_requests']['total']} |",
        f"| incremental sync, 100 new posts: requests | — | {results['campus_100_new_posts']['sandbox_requests']['total']} |",
        f"| mirror equals the sandbox's truth (full / after new posts) | — | {results['full_equals_truth']} / {results['after_new_posts_equals_truth']} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "perceval":
        print(json.dumps(run_perceval(sys.argv[2])))
    elif len(sys.argv) > 1 and sys.argv[1] == "campus":
        print(json.dumps(run_campus(sys.argv[2], sys.argv[3]), default=str))
    else:
        main()
