"""Benchmark: Campus run as in production — web service, syncs, webhooks, logins and answers at once.

Issue 23: everything together on one database, SQLite or PostgreSQL, counting what an operator
cares about: 5xx answers, webhooks lost, barometer answers lost, failed syncs, and the p95 of
pages, logins and answers. All real processes: the sandbox (`python -m sandbox`, its
DiscourseConnect provider and webhook deliveries on), `campus serve` (waitress), and the
worker's runs as `campus sync` (incremental, one `--full` first), `campus report` and
`campus pulse close`, each in its own process, while:

- the forum changes every `--activity-every` seconds (new posts, edits, deletions, likes,
  accepted answers), each change delivered to Campus as a signed webhook;
- `--browsers` logged-in members loop over pages (/, /moi, /barometre), with `--think` seconds
  between two pages;
- `--answerers` threads log members in through DiscourseConnect and answer the barometer, one
  new member each time.

At the end the web service is stopped cleanly (SIGTERM: it counts what it holds), the webhooks
are let to settle, one last incremental sync runs, and the mirror is compared with the forum.

    .venv/bin/python bench/production_bench.py [--seconds 150] [--size small]
        [--database-url postgresql+psycopg://…]   (default: a SQLite file in the work folder)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.vocabulary import AXES, current_month, shift_month  # noqa: E402
from sandbox.network import generate  # noqa: E402
from sync.mirror import barometer_store, db  # noqa: E402

TZ = "Europe/Paris"
API_KEY = "bench-sandbox-key"
SECRETS = {
    "CAMPUS_WEB_SECRET": "bench-web-secret-0123456789abcdef",
    "CAMPUS_DISCOURSE_CONNECT_SECRET": "bench-connect-secret-0123456789ab",
    "CAMPUS_WEBHOOK_SECRET": "bench-webhook-secret-0123456789ab",
}
CONTROL = {"Api-Key": API_KEY, "Api-Username": "system"}
#: every statement answered (« je préfère ne pas répondre » sent as an empty value)
ANSWER = {axis: ("3", "4", "")[i % 3] for i, axis in enumerate(AXES)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start") from None
            time.sleep(0.2)


class Recorder:
    """Latencies by kind, status codes, and failures, shared by the load threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[int, int]] = {}
        self.failures: list[str] = []

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.samples.setdefault(kind, []).append(seconds)
            counts = self.statuses.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)

    def server_errors(self) -> int:
        return sum(n for codes in self.statuses.values() for s, n in codes.items() if s >= 500)

    def summary(self) -> dict:
        def pct(values: list[float], p: float) -> float:
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            kind: {
                "requests": len(values),
                "p50_ms": pct(values, 0.50),
                "p95_ms": pct(values, 0.95),
                "statuses": {str(k): v for k, v in sorted(self.statuses[kind].items())},
            }
            for kind, values in sorted(self.samples.items())
        }


def timed(recorder: Recorder, kind: str, call, *args, **kwargs) -> requests.Response | None:
    """`call(*args, **kwargs)`, its latency and status recorded under `kind`."""
    began = time.perf_counter()
    try:
        response = call(*args, **kwargs)
    except requests.RequestException as error:
        recorder.fail(f"{kind}: {type(error).__name__}")
        return None
    recorder.add(kind, response.status_code, time.perf_counter() - began)
    return response


def login(campus_url: str, username: str, recorder: Recorder, next_path: str = "/"):
    """The full DiscourseConnect flow as `username` (the sandbox's cookie says who)."""
    session = requests.Session()
    session.cookies.set("_sandbox_user", username)
    response = timed(
        recorder,
        "login",
        session.get,
        campus_url + "/login",
        params={"next": next_path},
        timeout=120,
    )
    return session if response is not None and response.status_code == 200 else None


def answerable(network) -> list[str]:
    """Members of exactly one cooperative (each may answer once)."""
    forum = network.forum
    slugs = {line.split(",")[0] for line in network.cooperatives_csv.splitlines()[1:] if line}
    found = []
    for user in sorted(forum.users.values(), key=lambda u: u.id):
        if user.id <= 0 or not user.active or user.staged or user.suspended_till:
            continue
        if len({g.name for g in forum.groups_of(user)} & slugs) == 1:
            found.append(user.username)
    return found


def run(args: argparse.Namespace, workdir: Path) -> dict:
    network = generate(1, args.size)
    (workdir / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    sandbox_port, campus_port = free_port(), free_port()
    sandbox_url, campus_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{campus_port}"
    database_url = args.database_url or f"sqlite:///{workdir / 'campus.db'}"
    (workdir / "campus.toml").write_text(
        f'[discourse]\nurl = "{sandbox_url}"\nrequests_per_minute = 0\n'
        f'[database]\nurl = "{database_url}"\n[sync]\nreconcile_days = 30\n'
        f'[network]\ntimezone = "{TZ}"\n[pulse]\nclose_wait_seconds = 2\n'
        f'[web]\nbase_url = "{campus_url}"\ntrusted_proxies = []\nthreads = {args.threads}\n'
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
    for name in ("CAMPUS_DATABASE_URL", "CAMPUS_DISCOURSE_URL", "CAMPUS_CONFIG"):
        env.pop(name, None)
    command = [sys.executable, str(ROOT / "cli.py"), "--config", str(workdir / "campus.toml")]

    def campus(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, *arguments], cwd=workdir, env=env, capture_output=True, text=True
        )

    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(sandbox_port), "--size", args.size]
        + ["--seed", "1", "--rate-limit", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    server = None
    recorder = Recorder()
    runs: dict[str, list[int]] = {}
    try:
        wait_for(sandbox_url + "/_sandbox/stats", sandbox)
        for step in (["sync", "--full"], ["pulse", "post"]):
            done = campus(*step)
            if done.returncode != 0:
                raise RuntimeError(f"campus {' '.join(step)}: {done.stderr[-2000:]}")
        server = subprocess.Popen(
            [*command, "serve", "--port", str(campus_port)],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "serve.log", "w"),  # noqa: SIM115 - closed with the process
        )
        wait_for(campus_url + "/healthz", server)
        requests.post(
            f"{sandbox_url}/_sandbox/webhooks",
            json={
                "url": campus_url + "/webhooks/discourse",
                "secret": SECRETS["CAMPUS_WEBHOOK_SECRET"],
                "retry_seconds": [1, 2, 4, 8, 16],
            },
            headers=CONTROL,
            timeout=30,
        ).raise_for_status()
        members = answerable(network)
        browsers_names, answerers_names = members[: args.browsers], members[args.browsers :]
        stop_at = time.monotonic() + args.seconds
        month = current_month(TZ)
        answered = {"recorded": 0}

        def worker() -> None:
            """The worker's runs, one at a time: a full sync first, then incremental ones,
            a report and a month close along the way."""
            previous = shift_month(month, -1)
            plan = [["sync", "--full"], ["pulse", "close", "--month", previous], ["sync"]]
            plan += [["report", "--month", previous]]
            while time.monotonic() < stop_at:
                step = plan.pop(0) if plan else ["sync"]
                done = campus(*step)
                runs.setdefault(step[0], []).append(done.returncode)
                if done.returncode != 0:
                    recorder.fail(f"campus {' '.join(step)}: {done.stderr.strip()[-300:]}")
                time.sleep(args.sync_every)

        def forum_activity() -> None:
            seed = 1000
            while time.monotonic() < stop_at:
                seed += 1
                changes = {"new_posts": 4, "edits": 2, "deletes": 1, "likes": 4, "accepts": 1}
                requests.post(
                    f"{sandbox_url}/_sandbox/activity",
                    json={"seed": seed, **changes},
                    headers=CONTROL,
                    timeout=60,
                )
                time.sleep(args.activity_every)

        def browse(username: str) -> None:
            session = login(campus_url, username, recorder)
            if session is None:
                return
            pages = ["/", "/moi", "/barometre"]
            index = 0
            while time.monotonic() < stop_at:
                page = pages[index % len(pages)]
                index += 1
                timed(recorder, "page " + page, session.get, campus_url + page, timeout=120)
                time.sleep(args.think)

        names = iter(answerers_names)
        names_lock = threading.Lock()

        def answer_loop() -> None:
            while time.monotonic() < stop_at:
                with names_lock:
                    username = next(names, None)
                if username is None:
                    return
                session = login(campus_url, username, recorder, "/barometre")
                if session is None:
                    continue
                page = session.get(campus_url + "/barometre", timeout=120)
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                if token is None:
                    recorder.fail(f"no barometer form for {username} ({page.status_code})")
                    continue
                form = {**ANSWER, "csrf_token": token.group(1)}
                sent = timed(
                    recorder,
                    "answer",
                    session.post,
                    campus_url + "/barometre",
                    data=form,
                    timeout=120,
                    allow_redirects=False,
                )
                if sent is not None and sent.status_code == 303:
                    with names_lock:
                        answered["recorded"] += 1
                time.sleep(args.think)

        threads = [threading.Thread(target=worker), threading.Thread(target=forum_activity)]
        threads += [threading.Thread(target=browse, args=(name,)) for name in browsers_names]
        threads += [threading.Thread(target=answer_loop) for _ in range(args.answerers)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        loaded = time.monotonic() - began
        settled = requests.post(
            f"{sandbox_url}/_sandbox/webhooks/wait",
            json={"timeout": 120},
            headers=CONTROL,
            timeout=180,
        ).json()
        deliveries = requests.get(
            f"{sandbox_url}/_sandbox/webhooks/deliveries", headers=CONTROL, timeout=60
        ).json()["deliveries"]
        time.sleep(5)  # the web service's background checks of the last deliveries
        server.send_signal(signal.SIGTERM)  # a clean stop counts what it holds
        stopped = server.wait(timeout=60)
        server = None
        final = campus("sync")
        runs.setdefault("sync", []).append(final.returncode)
        stats = json.loads(campus("stats", "--json").stdout)
        truth = requests.get(f"{sandbox_url}/_sandbox/truth", headers=CONTROL, timeout=60).json()
        engine = db.connect(database_url)
        try:
            data = barometer_store.read_month(engine, month)
            with db.reader(engine).connect() as conn:
                pending_checks = conn.exec_driver_sql(
                    "SELECT count(*) FROM webhook_checks"
                ).scalar()
        finally:
            engine.dispose()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        sandbox.terminate()
        sandbox.wait(timeout=30)

    attempts = [attempt for d in deliveries for attempt in d["attempts"]]
    stats = {key: value for key, value in stats.items() if key not in ("last_sync", "last_webhook")}
    respondents = int(data.respondents["n"].sum())
    counted = int(data.cells["respondents"].sum())
    return {
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "size": args.size,
        "seconds_of_load": round(loaded, 1),
        "browsers": args.browsers,
        "answerers": args.answerers,
        "web_threads": args.threads,
        "http_5xx": recorder.server_errors(),
        "http_failures": len(recorder.failures),
        "failures": recorder.failures[:20],
        "runs": {
            name: {"runs": len(codes), "failed": sum(1 for c in codes if c)}
            for name, codes in runs.items()
        },
        "webhooks": {
            "deliveries": len(deliveries),
            "settled": settled.get("idle"),
            "lost": sum(1 for d in deliveries if d["state"] != "delivered"),
            "attempts_5xx": sum(1 for a in attempts if a.startswith("5")),
            "checks_left": pending_checks,
        },
        "answers": {
            "recorded": answered["recorded"],
            "respondents": respondents,
            "counted": counted,
            "lost": data.lost,
            "not_counted": respondents - counted - data.lost,
            "serve_exit": stopped,
        },
        "mirror_matches_forum": stats == truth,
        "latency": recorder.summary(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "network"], default="small")
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--browsers", type=int, default=12)
    parser.add_argument("--answerers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="[web] threads of campus serve")
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--sync-every", type=float, default=10.0)
    parser.add_argument("--activity-every", type=float, default=2.0)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="campus-production-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args, workdir), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
