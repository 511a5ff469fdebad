"""Benchmark: `campus relay` and `campus digest` over a mirror of about 1M posts.

Target (issue 14): under 10 s each. The mirror is generated once (seeded, written directly with
SQL) and kept: 74 cooperatives of 108 members, one member in 40 volunteering in `campus-relais`,
a year of questions in each cooperative's « Entraide », « Vie » and the network's « Campus »,
40 % of topics tagged, some unanswered, a third of the answered questions solved. Then:

- relay: a sandbox serves the relay group (the same member ids) and receives the private
  messages; `app.relay.run_relay` runs on a Tuesday at 10:00 (a working hour) exactly as
  `campus relay` does: read the group, load the mirror, choose, send, record;
- digest: `app.digest.build_digest` for October 2026 (network, then one cooperative), then
  `publish_digest` of the network digest into the sandbox.

    .venv/bin/python bench/relay_bench.py [--posts 1000000] [--workdir /tmp/campus-relay-bench]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete, insert, text

from analytics.settings import RelaySettings
from app.digest import build_digest, publish_digest
from app.relay import run_relay
from sandbox.server import SandboxServer
from sandbox.state import Forum
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.mirror.db import connect
from sync.mirror.schema import (
    Category,
    CategoryPermission,
    Group,
    Membership,
    Post,
    RelaySuggestion,
    Solution,
    Topic,
    TopicTag,
    User,
)

COOPS, MEMBERS = 74, 108
RELAY_GROUP, OPTOUT_GROUP = 50, 51
YEAR_START = datetime(2025, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris
TAGS = [f"theme-{i:02d}" for i in range(30)]
REPLIES_PER_TOPIC = 4.3
UNANSWERED = 0.08


def _naive(seconds: np.ndarray) -> list[datetime]:
    base = YEAR_START.replace(tzinfo=None)
    return (np.datetime64(base) + seconds.astype("timedelta64[s]")).astype(datetime).tolist()


def build_mirror(engine: Engine, posts: int, seed: int = 2026) -> dict:
    """Write the synthetic mirror; return what it holds."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    users = COOPS * MEMBERS
    user_ids = np.arange(1, users + 1)
    coop_of = (user_ids - 1) // MEMBERS
    slugs = [f"coop-{i:02d}" for i in range(COOPS)]
    topics = int(posts / (1 + REPLIES_PER_TOPIC * (1 - UNANSWERED)))
    span = int((NOW - YEAR_START).total_seconds())
    topic_ids = np.arange(1, topics + 1)
    author = rng.integers(1, users + 1, topics)
    kind = rng.choice(3, topics, p=[0.6, 0.25, 0.15])  # entraide, vie, campus
    coop = coop_of[author - 1]
    category = np.where(kind == 0, 2000 + coop, np.where(kind == 1, 3000 + coop, 1))
    created = np.sort(rng.integers(0, span, topics))
    replies = rng.poisson(REPLIES_PER_TOPIC, topics)
    replies[rng.random(topics) < UNANSWERED] = 0  # questions nobody answers

    post_topic = np.repeat(topic_ids, replies + 1)
    number = np.concatenate([np.arange(1, n + 2) for n in replies])
    first = number == 1
    same_coop = rng.integers(0, MEMBERS, len(post_topic)) + coop[post_topic - 1] * MEMBERS + 1
    anyone = rng.integers(1, users + 1, len(post_topic))
    campus = category[post_topic - 1] == 1
    post_user = np.where(first, author[post_topic - 1], np.where(campus, anyone, same_coop))
    delay = rng.exponential(20 * 3600, len(post_topic)).astype(np.int64) * (number - 1)
    post_created = np.minimum(created[post_topic - 1] + delay, span - 1)
    likes = np.where(rng.random(len(post_topic)) < 0.3, rng.integers(1, 6, len(post_topic)), 0)
    post_ids = np.arange(1, len(post_topic) + 1)

    answered = np.flatnonzero((replies > 0) & (kind != 1))
    solved = answered[rng.random(len(answered)) < 0.33]
    first_reply = np.searchsorted(post_topic, topic_ids[solved]) + 1  # index of post number 2
    tagged = np.flatnonzero(rng.random(topics) < 0.4)

    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {"id": int(i), "username": f"membre{i}", "cooperative": slugs[coop_of[i - 1]],
                 "role": "entrepreneur", "trust_level": 1}
                for i in user_ids
            ],
        )  # fmt: skip
        groups = [{"id": 100 + i, "name": slug} for i, slug in enumerate(slugs)]
        groups += [{"id": RELAY_GROUP, "name": "campus-relais"}]
        groups += [{"id": OPTOUT_GROUP, "name": "campus-optout"}]
        conn.execute(insert(Group), groups)
        memberships = [{"group_id": 100 + int(coop_of[i - 1]), "user_id": int(i)} for i in user_ids]
        memberships += [{"group_id": RELAY_GROUP, "user_id": int(i)} for i in user_ids[::40]]
        memberships += [{"group_id": OPTOUT_GROUP, "user_id": int(i)} for i in user_ids[7::200]]
        conn.execute(insert(Membership), memberships)
        categories = [
            {"id": 1, "name": "Campus", "slug": "campus", "parent_id": None,
             "read_restricted": False, "accepted_answers": True}
        ]  # fmt: skip
        permissions = [{"category_id": 1, "group_name": "everyone", "permission_type": 1}]
        for i, slug in enumerate(slugs):
            for cid, name, sub, parent in (
                (1000 + i, slug, slug, None),
                (2000 + i, "Entraide", "entraide", 1000 + i),
                (3000 + i, "Vie de la coopérative", "vie", 1000 + i),
            ):
                categories.append(
                    {"id": cid, "name": name, "slug": sub, "parent_id": parent,
                     "read_restricted": True, "accepted_answers": sub == "entraide"}
                )  # fmt: skip
                permissions += [
                    {"category_id": cid, "group_name": slug, "permission_type": 1},
                    {"category_id": cid, "group_name": "staff", "permission_type": 1},
                ]
        conn.execute(insert(Category), categories)
        conn.execute(insert(CategoryPermission), permissions)
        topic_times = _naive(created)
        accepted = dict(
            zip(topic_ids[solved].tolist(), post_ids[first_reply].tolist(), strict=True)
        )
        conn.execute(
            insert(Topic),
            [
                {"id": int(t), "title": f"Question {t}", "category_id": int(category[t - 1]),
                 "user_id": int(author[t - 1]), "created_at": topic_times[t - 1],
                 "posts_count": int(replies[t - 1] + 1), "accepted_post_id": accepted.get(int(t))}
                for t in topic_ids
            ],
        )  # fmt: skip
        post_times = _naive(post_created)
        accepted_posts = set(accepted.values())
        chunk = 200_000
        for start in range(0, len(post_ids), chunk):
            conn.execute(
                insert(Post),
                [
                    {"id": int(post_ids[k]), "topic_id": int(post_topic[k]),
                     "post_number": int(number[k]), "user_id": int(post_user[k]),
                     "created_at": post_times[k], "like_count": int(likes[k]),
                     "accepted_answer": int(post_ids[k]) in accepted_posts}
                    for k in range(start, min(start + chunk, len(post_ids)))
                ],
            )  # fmt: skip
        conn.execute(
            insert(Solution),
            [
                {"topic_id": int(t), "post_id": int(p), "user_id": int(post_user[p - 1])}
                for t, p in accepted.items()
            ],
        )
        conn.execute(
            insert(TopicTag),
            [{"topic_id": int(t + 1), "tag": TAGS[int(rng.integers(0, 30))]} for t in tagged],
        )
    return {
        "posts": int(len(post_ids)),
        "topics": topics,
        "solved": len(accepted),
        "volunteers": len(user_ids[::40]),
        "seconds": round(time.perf_counter() - started, 1),
    }


def sandbox_forum() -> Forum:
    """The forum side: the same member ids, the relay group, the Campus category."""
    forum = Forum()
    for i in range(1, COOPS * MEMBERS + 1):
        forum.add_user(f"membre{i}", f"membre{i}@example.org")
    relay = forum.add_group("campus-relais", public_admission=True, public_exit=True)
    forum.add_members(relay, list(range(1, COOPS * MEMBERS + 1, 40)))
    forum.add_category("Campus", slug="campus", custom_fields={"enable_accepted_answers": "true"})
    return forum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/campus-relay-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    database = args.workdir / f"mirror-{args.posts}.db"
    url = f"sqlite:///{database}"
    fresh = not database.exists()
    engine = connect(url)
    if fresh:
        print("mirror:", json.dumps(build_mirror(engine, args.posts)), flush=True)
    with engine.begin() as conn:
        conn.execute(delete(RelaySuggestion))
        conn.execute(text("DELETE FROM digest_publications"))

    with SandboxServer(sandbox_forum(), rate_limit_per_minute=0) as server:
        settings = DiscourseSettings(url=server.url, api_key=server.api_key, requests_per_minute=0)
        api = DiscourseAPI(settings, sleep=lambda _seconds: None)
        relay_args = dict(
            tz="Europe/Paris",
            relay_group="campus-relais",
            optout_group="campus-optout",
            forum_url=server.url,
            now=NOW,
        )
        started = time.perf_counter()
        run_relay(engine, api, RelaySettings(), dry_run=True, **relay_args)
        dry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        outcome = run_relay(
            engine,
            api,
            RelaySettings(),
            **relay_args,
        )
        relay_seconds = time.perf_counter() - started
        data = outcome.as_json()
        print(
            "relay:",
            json.dumps(
                {
                    "seconds": round(relay_seconds, 2),
                    "dry_run_seconds": round(dry_seconds, 2),
                    "questions_relayed": len(data["suggested"]),
                    "messages": data["messages"],
                    "requests": data["requests"],
                    "skipped": data["skipped"],
                }
            ),
            flush=True,
        )

        started = time.perf_counter()
        digest = build_digest(
            engine, "2026-10", tz="Europe/Paris", forum_url=server.url, optout_group="campus-optout"
        )
        build_seconds = time.perf_counter() - started
        published = publish_digest(api, engine, digest, "campus")
        network_seconds = time.perf_counter() - started
        started = time.perf_counter()
        coop = build_digest(
            engine,
            "2026-10",
            tz="Europe/Paris",
            forum_url=server.url,
            optout_group="campus-optout",
            coop="coop-00",
        )
        coop_seconds = time.perf_counter() - started
        print(
            "digest:",
            json.dumps(
                {
                    "network_seconds": round(network_seconds, 2),
                    "network_build_seconds": round(build_seconds, 2),
                    "network_questions": digest.questions,
                    "published": published["action"],
                    "coop_seconds": round(coop_seconds, 2),
                    "coop_questions": coop.questions,
                }
            ),
            flush=True,
        )
    engine.dispose()


if __name__ == "__main__":
    main()
