"""Webhook event → mirror latency at a sustained rate, Campus served by waitress.

    .venv/bin/python bench/webhook_bench.py [--seconds 60] [--rate 20] [--size small|network]

A sandbox network is synced into a fresh SQLite mirror (setup, not measured); then the sandbox
delivers its webhooks to `POST /webhooks/discourse` of Campus (`create_app` on waitress, 8
threads) while a driver changes the forum `--rate` times a second for `--seconds` seconds: out of
every 20 changes, 12 replies, 2 new topics, 3 edits, 2 likes and 1 deletion. The admin API is
limited to 60 requests a minute on both sides (the sandbox's limit and the client's budget),
as on a real forum.

Latency of an event = from the change in the forum to Campus's 2xx answer, which comes after
the payload is committed to the mirror (replies, topics, edits) or the post queued for a check
(likes: their count is read through the API). A deletion is only applied after the forum
confirms it (API, background): its latency is measured until the mirror shows the post
deleted. At the end the mirror's counts are compared with the forum's.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import waitress
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.context import Campus  # noqa: E402
from cli import load_config  # noqa: E402
from reports.settings import ReportSettings  # noqa: E402
from sandbox.network import generate  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from sync.discourse.client import DiscourseAPI  # noqa: E402
from sync.discourse.settings import DiscourseSettings  # noqa: E402
from sync.mirror import db  # noqa: E402
from sync.mirror import pull as mirror  # noqa: E402
from sync.mirror.schema import Post  # noqa: E402
from sync.mirror.stats import mirror_stats  # noqa: E402
from sync.settings import ForumTemplate, SyncSettings  # noqa: E402
from web import create_app  # noqa: E402
from web.services import GroupNames, Services  # noqa: E402
from web.settings import WebSettings  # noqa: E402
from web.webhooks import live_mirror_of  # noqa: E402

API_KEY = "bench-sandbox-key"
SECRET = "bench-webhook-secret-0123456789"
PLAN = ["reply"] * 12 + ["topic"] * 2 + ["edit"] * 3 + ["like"] * 2 + ["delete"]
TEXT = "Merci pour ce retour détaillé, je teste la piste proposée cette semaine ({n})."


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def serve(engine, sandbox: SandboxServer, folder: Path):
    """Campus's app on waitress on a free port; returns (url, server, app)."""
    settings = DiscourseSettings(url=sandbox.url, requests_per_minute=60, api_key=API_KEY)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    config = load_config(folder / "campus.toml", environ={})
    config.sections["discourse"] = settings
    config.sections["reports"] = ReportSettings(output_dir=str(folder / "rapports"))
    campus = Campus(config, engine=engine, client_factory=lambda: DiscourseAPI(settings))
    services = Services(
        campus=campus,
        web=WebSettings(base_url=url, trusted_proxies=[]),
        web_secret="bench-web-secret-0123456789abcdef",
        connect_secret="bench-connect-secret-0123456789",
        webhook_secret=SECRET,
        groups=GroupNames(),
    )
    app = create_app(services)
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=8)
    threading.Thread(target=server.run, daemon=True, name="campus-web").start()
    return url, server, app


def drive(forum, seconds: float, rate: float, seed: int, deleted: dict[int, float]) -> None:
    """Change the forum `rate` times a second; note {deleted post id: when} in `deleted` as
    each deletion happens (the watcher reads it meanwhile)."""
    rng = random.Random(seed)
    with forum.lock:
        users = [u for u in forum.users.values() if u.id > 0 and not u.staged and u.active]
        topics = [t for t in forum.topics.values() if forum.is_counted_topic(t)]
    start = time.monotonic()
    for index in range(int(seconds * rate)):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        kind = PLAN[index % len(PLAN)]
        with forum.lock:
            topic = rng.choice(topics)
            live = forum.topic_posts(topic, with_deleted=False)
            author = rng.choice(users)
            if kind == "reply":
                forum.create_post(author, topic, TEXT.format(n=index))
            elif kind == "topic":
                title = f"Question de mesure numéro {index} pour le banc d'essai"
                first = forum.create_topic(
                    author, title, TEXT.format(n=index), category_id=topic.category_id
                )
                topics.append(forum.topics[first.topic_id])
            elif kind == "edit":
                post = rng.choice(live)
                forum.edit_post(post, post.raw + f"\n\nPrécision {index}.")
            elif kind == "like":
                post = rng.choice(live)
                if post.user_id != author.id and all(
                    a.user_id != author.id for a in forum.likes_of(post)
                ):
                    forum.add_action(post, author, 2)
            else:
                replies = [post for post in live if post.post_number > 1]
                if replies:
                    post = rng.choice(replies)
                    forum.delete_post(post)
                    deleted[post.id] = time.monotonic()


def watch_deletions(engine, deleted: dict[int, float], seen: dict[int, float], stop) -> None:
    """Record when each deleted post shows deleted in the mirror."""
    while not stop.is_set():
        waiting = [post_id for post_id in list(deleted) if post_id not in seen]
        if waiting:
            with engine.connect() as conn:
                done = conn.execute(
                    select(Post.id).where(Post.id.in_(waiting), Post.deleted_at.is_not(None))
                ).scalars()
                now = time.monotonic()
                for post_id in done:
                    seen[post_id] = now
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--size", choices=("small", "network"), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="campus-webhook-bench-"))
    network = generate(args.seed, args.size)
    sandbox = SandboxServer(network, api_key=API_KEY, rate_limit_per_minute=0).start()
    database_url = f"sqlite:///{folder / 'campus.db'}"
    unlimited = DiscourseSettings(url=sandbox.url, requests_per_minute=0, api_key=API_KEY)
    template = ForumTemplate()
    options = mirror.sync_options(template, SyncSettings(reconcile_days=3650))
    mirror.run_sync(database_url, DiscourseAPI(unlimited), options, full=True)
    sandbox.set_rate_limit(60)
    engine = db.connect(database_url)
    url, server, app = serve(engine, sandbox, folder)
    sandbox.configure_webhooks(url + "/webhooks/discourse", SECRET)
    sandbox.reset_stats()

    seen: dict[int, float] = {}
    deleted: dict[int, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_deletions, args=(engine, deleted, seen, stop), daemon=True
    )
    watcher.start()
    started = time.monotonic()
    drive(network.forum, args.seconds, args.rate, args.seed, deleted)
    drove = time.monotonic() - started
    idle = sandbox.wait_webhooks(120) and live_mirror_of(app).wait_idle(300)
    time.sleep(0.2)
    stop.set()
    watcher.join()

    deliveries = list(sandbox.sandbox.webhooks.deliveries.values())
    latencies = [d.answered_at - d.emitted_at for d in deliveries if d.answered_at is not None]
    deletion = [seen[post_id] - at for post_id, at in deleted.items() if post_id in seen]
    stats = mirror_stats(engine)
    truth = sandbox.truth()
    compared = {key: (stats[key], truth[key]) for key in truth}
    result = {
        "size": args.size,
        "seconds": round(drove, 1),
        "changes_per_second": args.rate,
        "events": len(deliveries),
        "events_per_second": round(len(deliveries) / drove, 1),
        "delivered": sum(1 for d in deliveries if d.state == "delivered"),
        "latency_ms": {
            "p50": round(1000 * statistics.median(latencies), 1),
            "p95": round(1000 * percentile(latencies, 0.95), 1),
            "max": round(1000 * max(latencies), 1),
        },
        "deletions": len(deleted),
        "deletion_latency_ms": {
            "p50": round(1000 * statistics.median(deletion), 1) if deletion else None,
            "p95": round(1000 * percentile(deletion, 0.95), 1) if deletion else None,
            "max": round(1000 * max(deletion), 1) if deletion else None,
        },
        "api_requests_by_campus": sandbox.stats()["total"],
        "settled": idle,
        "mirror_equals_forum": all(a == b for a, b in compared.values()),
        "mismatches": {key: pair for key, pair in compared.items() if pair[0] != pair[1]},
    }
    live_mirror_of(app).stop()
    server.close()
    sandbox.stop()
    engine.dispose()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result


if __name__ == "__main__":
    main()
