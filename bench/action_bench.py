"""Benchmark: latency of the action log's pages (DESIGN §10, §14) with 20 concurrent sessions.

Target (issue 20): p95 under 200 ms. Everything runs for real, as in `bench/web_bench.py`: the
sandbox (`python -m sandbox --size network`, DiscourseConnect on) in one process, the mirror
filled by `campus sync --full`, the month's reports by `campus report`, `campus serve`
(waitress) in another process. 20 directors' sessions (the network's directors, each on their
own cooperative's log) log in through the full DiscourseConnect flow, then loop for `--seconds`:
open the log (`GET /rapports/<M>/<slug>/actions`), record an action (`POST`, answered 303), and
change it (`POST /actions/<id>`, 303), pausing `--think` seconds between two requests (0: a
closed loop, harsher than people). The logs grow during the run; their final sizes are printed.

    .venv/bin/python bench/action_bench.py [--seconds 30] [--sessions 20] [--think 0]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web_bench import API_KEY, MONTH, SECRETS, campus, free_port, wait_for  # noqa: E402
from sandbox.network import generate  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ACTION_ID = re.compile(r"#action-(\d+)$")


def directors(network, sessions: int) -> list[tuple[str, str]]:
    """(username, cooperative slug) of `sessions` directors' sessions: one director per
    cooperative first, then the others (a director may then hold two sessions)."""
    forum = network.forum
    slugs = {line.split(",")[0] for line in network.cooperatives_csv.splitlines()[1:]}
    group = forum.group_by_name("directions")
    first: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    seen: set[str] = set()
    for user_id in sorted(forum.group_member_ids(group)):
        user = forum.users[user_id]
        coop = next((g.name for g in forum.groups_of(user) if g.name in slugs), None)
        if coop:
            (others if coop in seen else first).append((user.username, coop))
            seen.add(coop)
    everyone = first + others
    return [everyone[i % len(everyone)] for i in range(sessions)]


def login(campus_url: str, sandbox_url: str, username: str) -> requests.Session:
    """A session logged in as `username` through the full DiscourseConnect flow (the sandbox's
    provider answers for the account its control endpoint names)."""
    requests.post(
        f"{sandbox_url}/_sandbox/login-as",
        json={"username": username},
        headers={"Api-Key": API_KEY, "Api-Username": "system"},
        timeout=30,
    ).raise_for_status()
    session = requests.Session()
    response = session.get(campus_url + "/login", params={"next": "/moi"}, timeout=60)
    response.raise_for_status()
    if not response.url.startswith(campus_url):
        raise RuntimeError(f"login of {username} did not come back to Campus: {response.url}")
    return session


def summary(values: list[float]) -> dict:
    ordered = sorted(values)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {
        "requests": len(values),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * sum(values) / len(values), 1),
    }


def run(seconds: float, sessions: int, think: float, workdir: Path) -> dict:
    network = generate(1, "network")
    (workdir / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    sandbox_port, campus_port = free_port(), free_port()
    sandbox_url, campus_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{campus_port}"
    (workdir / "campus.toml").write_text(
        f'[discourse]\nurl = "{sandbox_url}"\nrequests_per_minute = 0\n'
        '[database]\nurl = "sqlite:///campus.db"\n[sync]\nreconcile_days = 3650\n'
        f'[web]\nbase_url = "{campus_url}"\ntrusted_proxies = []\nthreads = 8\n'
        'login_rate_limit = "100000 per minute"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        **SECRETS,
        "CAMPUS_SANDBOX_API_KEY": API_KEY,
        "CAMPUS_DISCOURSE_API_KEY": API_KEY,
        "CAMPUS_SANDBOX_CONNECT_SECRET": SECRETS["CAMPUS_DISCOURSE_CONNECT_SECRET"],
    }
    env.pop("CAMPUS_DATABASE_URL", None)
    env.pop("CAMPUS_DISCOURSE_URL", None)
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(sandbox_port), "--size", "network"]
        + ["--seed", "1", "--rate-limit", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    server = None
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    try:
        wait_for(sandbox_url + "/_sandbox/stats", sandbox)
        campus(workdir, env, "sync", "--full")
        campus(workdir, env, "report", "--month", MONTH)
        serve_log = (workdir / "serve.log").open("w")  # the server's errors, if any
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "--config", str(workdir / "campus.toml")]
            + ["serve", "--port", str(campus_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=serve_log,
        )
        wait_for(campus_url + "/healthz", server)
        people = directors(network, sessions)
        browsers = [(login(campus_url, sandbox_url, name), slug) for name, slug in people]
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def timed(kind: str, expected: int, call, url: str, **options) -> requests.Response:
            begin = time.perf_counter()
            response = call(url, timeout=60, **options)
            elapsed = time.perf_counter() - begin
            with lock:
                samples.setdefault(kind, []).append(elapsed)
                if response.status_code != expected:
                    errors.append(f"{kind} {response.status_code}")
            if think:
                time.sleep(think)
            return response

        def loop(browser: requests.Session, slug: str) -> None:
            page = f"{campus_url}/rapports/{MONTH}/{slug}/actions"
            index = 0
            while time.perf_counter() < stop_at:
                index += 1
                shown = timed("GET log", 200, browser.get, page)
                has_form = TOKEN.search(shown.text)
                if has_form is None:
                    with lock:
                        errors.append(f"GET log without a form: {shown.status_code} {shown.url}")
                    break
                token = has_form.group(1)
                form = {
                    "csrf_token": token,
                    "axis": "intensite",
                    "indicator": "after_hours",
                    "kind": "deconnexion",
                    "title": f"Charte du soir, étape {index}",
                    "started": "2026-10-05",
                    "status": "en_cours",
                }
                recorded = timed(
                    "POST record", 303, browser.post, page, data=form, allow_redirects=False
                )
                found = ACTION_ID.search(recorded.headers.get("Location", ""))
                if found is None:
                    continue
                change = {"csrf_token": token, "status": "faite", "title": form["title"]}
                timed(
                    "POST change",
                    303,
                    browser.post,
                    f"{campus_url}/actions/{found.group(1)}",
                    data=change,
                    allow_redirects=False,
                )

        threads = [threading.Thread(target=loop, args=pair) for pair in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        sandbox.terminate()
        sandbox.wait(timeout=10)

    with sqlite3.connect(workdir / "campus.db") as database:
        logs = dict(database.execute("SELECT cooperative, count(*) FROM actions GROUP BY 1"))
    every = [value for values in samples.values() for value in values]
    return {
        "sessions": len(browsers),
        "cooperatives": len(logs),
        "seconds": seconds,
        "think_seconds": think,
        "requests_per_second": round(len(every) / seconds, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "actions_per_log_at_end": {
            "min": min(logs.values(), default=0),
            "max": max(logs.values(), default=0),
        },
        "overall": summary(every),
        "pages": {kind: summary(values) for kind, values in sorted(samples.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="campus-action-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args.seconds, args.sessions, args.think, workdir), indent=2))


if __name__ == "__main__":
    main()
