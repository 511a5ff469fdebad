"""Barometer benchmark: 8,000 members answer `/barometre` within the hour, served by waitress.

    .venv/bin/python bench/barometer_bench.py [--members 8000] [--rate 3] [--burst 20]
        [--burst-every 60] [--speed 1] [--threads 8] [--json FILE]

The load of a month's opening: members arrive steadily at `--rate` per second, and every
`--burst-every` seconds `--burst` more arrive at the same instant (a reminder posted on the forum).
Each member opens the page (GET, with its CSRF token) and sends the six answers (POST, then the
303 to the thanks page). `--speed N` compresses the schedule N times (rate and bursts N times
more frequent) to run the 8,000 members in less time under a heavier load.

Campus runs in its own process (`create_app` on waitress, `[web] threads`), on a fresh SQLite
file, like `campus serve`; this process only sends requests. Members are 74 cooperatives' people
(90 % entrepreneurs, 8 % support staff, 2 % directors); their sessions are minted with the web
secret, as the login would leave them (the login itself is rate-limited per address and belongs
to the forum). Latency is measured from each member's scheduled arrival (queueing included) to
the end of the response. At the end the month is closed and the benchmark checks that every
answer was counted once or dropped with its reason (counted + lost = members).
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.context import Campus  # noqa: E402
from cli import load_config  # noqa: E402
from core.vocabulary import AXES, current_month  # noqa: E402
from reports.settings import ReportSettings  # noqa: E402
from sync.discourse.settings import DiscourseSettings  # noqa: E402
from sync.mirror import barometer  # noqa: E402
from sync.mirror.db import connect  # noqa: E402
from sync.settings import ForumTemplate  # noqa: E402
from web import create_app  # noqa: E402
from web.auth import Member, open_session  # noqa: E402
from web.services import GroupNames, Services  # noqa: E402
from web.settings import WebSettings  # noqa: E402

TZ = "Europe/Paris"
WEB_SECRET = "bench-web-secret-0123456789abcdef0123456789"
COOPERATIVES = {f"coop-{n:02d}": f"Coopérative {n}" for n in range(1, 75)}
ROLES = (("entrepreneur", 0.90), ("appui", 0.08), ("direction", 0.02))


def services(database_url: str, port: int, threads: int) -> Services:
    """The web service's settings for the benchmark (no forum: the barometer never calls it)."""
    template = ForumTemplate()
    config = load_config(Path(tempfile.gettempdir()) / "campus.toml", environ={})
    config.sections["discourse"] = DiscourseSettings(url="http://127.0.0.1:9")
    config.sections["reports"] = ReportSettings(output_dir=tempfile.gettempdir())
    campus = Campus(config, engine=connect(database_url), client_factory=lambda: None)
    return Services(
        campus=campus,
        web=WebSettings(base_url=f"http://127.0.0.1:{port}", trusted_proxies=[], threads=threads),
        web_secret=WEB_SECRET,
        connect_secret="bench-connect-secret-0123456789abcdef",
        webhook_secret="bench-webhook-secret-0123456789abcdef",
        groups=GroupNames(role_groups=dict(template.role_groups), cooperatives=COOPERATIVES),
    )


def serve(database_url: str, port: int, threads: int) -> None:
    """The server process: Campus on waitress until terminated."""
    from web.serve import serve as serve_app

    serve_app(create_app(services(database_url, port, threads)), "127.0.0.1", port, threads=threads)


def members(n: int, seed: int = 1) -> list[dict]:
    """`n` members as a session describes them: one cooperative and one role group each."""
    rng = random.Random(seed)
    template = ForumTemplate()
    slugs = list(COOPERATIVES)
    people = []
    for user_id in range(1, n + 1):
        role = rng.choices([r for r, _ in ROLES], [w for _, w in ROLES])[0]
        groups = [rng.choice(slugs), template.role_groups[role]]
        people.append(
            {
                "user_id": 10_000 + user_id,
                "username": f"membre{user_id}",
                "name": f"Membre {user_id}",
                "admin": False,
                "groups": sorted(groups),
            }
        )
    return people


def schedule(n: int, rate: float, burst: int, every: float) -> list[float]:
    """Arrival times (seconds from the start): a steady rate, plus a burst every `every` s."""
    times: list[float] = []
    step, next_burst, t = 1.0 / rate, every, 0.0
    while len(times) < n:
        if next_burst <= t:
            times.extend([next_burst] * burst)
            next_burst += every
        times.append(t)
        t += step
    return sorted(times)[:n]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/login", timeout=2, allow_redirects=False)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("Campus did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=8000)
    parser.add_argument("--rate", type=float, default=3.0, help="steady arrivals per second")
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--burst-every", type=float, default=60.0)
    parser.add_argument("--speed", type=float, default=1.0, help="compress the schedule")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--serve", nargs=2, metavar=("DATABASE_URL", "PORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.threads)
        return

    folder = Path(tempfile.mkdtemp(prefix="barometer-bench-"))
    database_url = f"sqlite:///{folder / 'campus.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    month = current_month(TZ)
    engine = connect(database_url)
    barometer.open_month(engine, month, date.today())
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--threads",
            str(args.threads),
            "--serve",
            database_url,
            str(port),
        ]
    )
    try:
        wait_until_up(url)
        app = create_app(services(database_url, port, args.threads))
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [  # as the login leaves them
            serializer.dumps(open_session(Member.from_session(person)))
            for person in members(args.members)
        ]
        arrivals = schedule(
            args.members, args.rate * args.speed, args.burst, args.burst_every / args.speed
        )
        results: list[tuple[float, float, int, int]] = []
        lock = threading.Lock()
        start = time.monotonic() + 1.0

        def member(index: int) -> None:
            due = start + arrivals[index]
            time.sleep(max(0.0, due - time.monotonic()))
            session = requests.Session()  # keeps the session cookie the page sets (CSRF)
            minted = {"campus_session": cookies[index]}
            page = session.get(url + "/barometre", cookies=minted, timeout=60)
            got = time.monotonic()
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            rng = random.Random(index)
            form = {axis: str(rng.choice("12345")) for axis in AXES}
            answer = session.post(
                url + "/barometre", data={**form, "csrf_token": token}, timeout=60
            )
            done = time.monotonic()
            with lock:
                results.append((got - due, done - got, page.status_code, answer.status_code))

        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(member, range(args.members)))
        elapsed = time.monotonic() - start
        barometer.close_month(engine, month, date.today())
        deadline = time.monotonic() + 30
        while barometer.uncounted(engine, month) and time.monotonic() < deadline:
            time.sleep(0.5)
        data = barometer.read_month(engine, month)
    finally:
        server.terminate()
        server.wait(timeout=30)

    pages = [r[0] * 1000 for r in results]
    posts = [r[1] * 1000 for r in results]
    whole = [(r[0] + r[1]) * 1000 for r in results]
    counted = int(data.cells["respondents"].sum())
    report = {
        "members": args.members,
        "schedule": {
            "rate_per_s": args.rate * args.speed,
            "burst": args.burst,
            "burst_every_s": args.burst_every / args.speed,
            "speed": args.speed,
        },
        "waitress_threads": args.threads,
        "seconds": round(elapsed, 1),
        "answers_per_s": round(args.members / elapsed, 2),
        "errors": sum(1 for r in results if r[2] != 200 or r[3] != 200),
        "get_ms": {k: round(f(pages), 1) for k, f in _STATS.items()},
        "post_ms": {k: round(f(posts), 1) for k, f in _STATS.items()},
        "member_ms": {k: round(f(whole), 1) for k, f in _STATS.items()},
        "answered": data.answered,
        "counted": counted,
        "lost": data.lost,
        "uncounted": barometer.uncounted(engine, month),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


_STATS = {
    "p50": lambda v: statistics.median(v),
    "p95": lambda v: percentile(v, 0.95),
    "p99": lambda v: percentile(v, 0.99),
    "max": max,
}

if __name__ == "__main__":
    main()
