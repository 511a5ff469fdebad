"""Benchmark: page latency of `campus serve` with 20 concurrent logged-in sessions.

Target (issue 10): p95 under 200 ms on the 2-core machine. Everything runs for real: the sandbox
(`python -m sandbox --size network`, its DiscourseConnect provider on) in one process, the
mirror filled by `campus sync --full`, the month's reports by `campus report`, and `campus
serve` (waitress, 8 threads) in another process. 20 sessions (5 directors, 15 members) log in
through the full DiscourseConnect flow, open each of their pages once (warm-up: the first
« Mes données » computes the network's scores), then loop over their pages for `--seconds`, pausing `--think` seconds between two pages
(0: a closed loop, harsher than people, who read between clicks; the load generator's 20
threads then share the machine's two cores with the server).

    .venv/bin/python bench/web_bench.py [--size network] [--seconds 30] [--sessions 20] [--think 0]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.network import generate  # noqa: E402

MONTH = "2026-10"
API_KEY = "bench-sandbox-key"
SECRETS = {
    "CAMPUS_WEB_SECRET": "bench-web-secret-0123456789abcdef",
    "CAMPUS_DISCOURSE_CONNECT_SECRET": "bench-connect-secret-0123456789ab",
    "CAMPUS_WEBHOOK_SECRET": "bench-webhook-secret-0123456789ab",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start") from None
            time.sleep(0.2)


def campus(workdir: Path, env: dict, *args: str) -> None:
    command = [sys.executable, str(ROOT / "cli.py"), "--config", str(workdir / "campus.toml")]
    subprocess.run([*command, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def cast(network, sessions: int) -> list[tuple[str, list[str]]]:
    """`sessions` people and their pages: a quarter directors, the rest members."""
    forum = network.forum

    def members(name: str) -> list:
        return [forum.users[i] for i in sorted(forum.group_member_ids(forum.group_by_name(name)))]

    slugs = {line.split(",")[0] for line in network.cooperatives_csv.splitlines()[1:]}
    directors = members("directions")
    people = []
    for director in directors[: sessions // 4]:
        coop = next(g.name for g in forum.groups_of(director) if g.name in slugs)
        pages = [
            "/rapports",
            f"/rapports/{MONTH}/reseau",
            f"/rapports/{MONTH}/reseau/document",
            f"/rapports/{MONTH}/{coop}",
            "/moi",
        ]
        people.append((director.username, pages))
    optout = set(forum.group_member_ids(forum.group_by_name("campus-optout")))
    for member in members("entrepreneurs"):
        if len(people) == sessions:
            break
        if member not in directors and member.id not in optout:
            people.append((member.username, ["/", "/moi", "/moi/donnees.json"]))
    return people


def login(campus_url: str, sandbox_url: str, username: str) -> requests.Session:
    requests.post(f"{sandbox_url}/_sandbox/login-as", json={"username": username}, timeout=30)
    session = requests.Session()
    response = session.get(campus_url + "/login", params={"next": "/moi"}, timeout=60)
    response.raise_for_status()
    return session


def run(size: str, seconds: float, sessions: int, think: float, workdir: Path) -> dict:
    network = generate(1, size)
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
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            str(sandbox_port),
            "--size",
            size,
            "--seed",
            "1",
            "--rate-limit",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    server = None
    try:
        wait_for(sandbox_url + "/_sandbox/stats", sandbox)
        started = time.perf_counter()
        campus(workdir, env, "sync", "--full")
        campus(workdir, env, "report", "--month", MONTH)
        prepared = time.perf_counter() - started
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "cli.py"),
                "--config",
                str(workdir / "campus.toml"),
                "serve",
                "--port",
                str(campus_port),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(campus_url + "/healthz", server)
        people = cast(network, sessions)
        browsers = [(login(campus_url, sandbox_url, name), pages) for name, pages in people]
        warm = time.perf_counter()
        for browser, pages in browsers:
            for page in pages:
                browser.get(campus_url + page, timeout=120).raise_for_status()
        warm_up = time.perf_counter() - warm
        samples: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def loop(browser: requests.Session, pages: list[str]) -> None:
            index = 0
            while time.perf_counter() < stop_at:
                page = pages[index % len(pages)]
                index += 1
                begin = time.perf_counter()
                response = browser.get(campus_url + page, timeout=60)
                elapsed = time.perf_counter() - begin
                with lock:
                    if response.status_code != 200:
                        errors.append(f"{page} {response.status_code}")
                    kind = (
                        page
                        if not page.startswith("/rapports/")
                        else (
                            "/rapports/M/document"
                            if page.endswith("/document")
                            else "/rapports/M/reseau"
                            if page.endswith("/reseau")
                            else "/rapports/M/<slug>"
                        )
                    )
                    samples.setdefault(kind, []).append(elapsed)
                if think:
                    time.sleep(think)

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

    def summary(values: list[float]) -> dict:
        ordered = sorted(values)

        def pct(p: float) -> float:
            return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "requests": len(values),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "mean_ms": round(1000 * statistics.fmean(values), 1),
        }

    every = [value for values in samples.values() for value in values]
    return {
        "size": size,
        "sessions": len(browsers),
        "seconds": seconds,
        "think_seconds": think,
        "prepare_seconds": round(prepared, 1),
        "warm_up_seconds": round(warm_up, 1),
        "requests_per_second": round(len(every) / seconds, 1),
        "errors": len(errors),
        "overall": summary(every),
        "pages": {page: summary(values) for page, values in sorted(samples.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "network"], default="network")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="campus-web-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args.size, args.seconds, args.sessions, args.think, workdir), indent=2))


if __name__ == "__main__":
    main()
