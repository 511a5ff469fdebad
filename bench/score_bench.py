"""Benchmark of `analytics.scoring.score`: time and peak memory on generated forums.

Usage (from the repository root):

    .venv/bin/python -m bench.score_bench 100000 1000000

Each size runs in a fresh subprocess, which generates a synthetic `Forum` shaped like the
network's (8,000 members in 74 cooperatives, ~8 posts a topic, a few heavy helpers, likes,
accepted answers, deleted and hidden posts), then scores one year with the default weights and builds the expertise map.
Reported: generation time, scoring time (best of 3), resident memory after generation and the
process's peak resident memory (`ru_maxrss`), which includes the forum itself.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from analytics.scoring import expertise_map, score
from analytics.settings import ScoreWeights
from core.forum import Forum

MEMBERS = 8_000
COOPERATIVES = 74
POSTS_PER_TOPIC = 8
YEAR_START = pd.Timestamp("2025-01-01", tz="UTC")
SECONDS_IN_YEAR = 365 * 24 * 3600


def generate(posts: int, seed: int = 7) -> Forum:
    """A synthetic forum with `posts` posts over 2025, built directly as DataFrames."""
    rng = np.random.default_rng(seed)
    user_ids = np.arange(1, MEMBERS + 1)
    coops = np.array([f"coop-{i:02d}" for i in range(COOPERATIVES)])
    users = pd.DataFrame(
        {
            "id": user_ids,
            "username": [f"membre{i}" for i in user_ids],
            "name": None,
            "created_at": YEAR_START,
            "last_seen_at": YEAR_START,
            "admin": False,
            "moderator": False,
            "active": True,
            "staged": False,
            "suspended": rng.random(MEMBERS) < 0.01,
            "deleted": False,
            "cooperative": coops[rng.integers(0, COOPERATIVES, MEMBERS)],
            "role": rng.choice(
                ["entrepreneur", "appui", "direction"], MEMBERS, p=[0.85, 0.12, 0.03]
            ),
        }
    )
    memberships = pd.DataFrame({"user_id": user_ids[:40], "group_id": 1, "group": "campus-optout"})
    categories = pd.DataFrame(
        {
            "id": np.arange(1, 4),
            "name": ["Entraide", "Vie de la coopérative", "Campus"],
            "slug": ["entraide", "vie", "campus"],
            "parent_id": None,
            "accepted_answers": [True, False, True],
            "root_slug": ["entraide", "vie", "campus"],
        }
    )

    topic_count = max(posts // POSTS_PER_TOPIC, 1)
    # heavy-tailed activity: a few members write much more than the others
    weights = rng.pareto(1.2, MEMBERS) + 0.05
    weights /= weights.sum()
    topic_ids = np.arange(1, topic_count + 1)
    topic_authors = rng.choice(user_ids, topic_count, p=weights)
    topic_times = YEAR_START + pd.to_timedelta(
        np.sort(rng.integers(0, SECONDS_IN_YEAR, topic_count)), unit="s"
    )
    topics = pd.DataFrame(
        {
            "id": topic_ids,
            "title": "",
            "category_id": rng.integers(1, 4, topic_count),
            "user_id": topic_authors,
            "created_at": topic_times,
            "last_posted_at": topic_times,
            "deleted_at": pd.Series(pd.NaT, index=range(topic_count), dtype="datetime64[ns, UTC]"),
            "closed": False,
            "accepted_post_id": None,
        }
    )
    topics.loc[rng.random(topic_count) < 0.01, "deleted_at"] = YEAR_START

    replies = posts - topic_count
    reply_topic = np.sort(rng.integers(0, topic_count, replies))
    post_topic = np.concatenate([np.arange(topic_count), reply_topic])
    order = np.argsort(post_topic, kind="stable")
    post_topic = post_topic[order]
    first_of_topic = np.r_[True, post_topic[1:] != post_topic[:-1]]
    start_of_run = np.maximum.accumulate(np.where(first_of_topic, np.arange(posts), 0))
    post_number = np.arange(posts) - start_of_run + 1
    authors = np.where(
        post_number == 1, topic_authors[post_topic], rng.choice(user_ids, posts, p=weights)
    )
    delay = pd.to_timedelta(
        np.where(post_number == 1, 0, rng.integers(60, 30 * 86400, posts)), unit="s"
    )
    created = topic_times[post_topic] + delay
    reply_to = np.where(
        (post_number > 1) & (rng.random(posts) < 0.4), np.maximum(post_number - 1, 1), np.nan
    )
    frame = pd.DataFrame(
        {
            "id": np.arange(1, posts + 1),
            "topic_id": topic_ids[post_topic],
            "post_number": post_number,
            "reply_to_post_number": reply_to,
            "user_id": authors,
            "created_at": created,
            "updated_at": created,
            "deleted_at": pd.Series(pd.NaT, index=range(posts), dtype="datetime64[ns, UTC]"),
            "post_type": np.where(rng.random(posts) < 0.02, 3, 1),
            "version": 1,
            "like_count": rng.poisson(1.2, posts),
            "flag_count": 0,
            "hidden": rng.random(posts) < 0.002,
            "accepted_answer": (post_number > 1) & (rng.random(posts) < 0.05),
        }
    )
    frame.loc[rng.random(posts) < 0.01, "deleted_at"] = YEAR_START
    topic_info = topics.set_index("id")[["user_id", "category_id", "deleted_at"]]
    topic_info.columns = ["topic_user_id", "category_id", "topic_deleted_at"]
    frame = frame.join(topic_info, on="topic_id")
    frame["topic_deleted"] = frame.pop("topic_deleted_at").notna()
    frame["root_slug"] = frame["category_id"].map(categories.set_index("id")["root_slug"])
    frame["accepted_answers"] = frame["category_id"].isin([1, 3])

    liked = rng.choice(posts, posts // 4, replace=False)
    likes = pd.DataFrame(
        {
            "post_id": liked + 1,
            "user_id": rng.choice(user_ids, len(liked)),
            "created_at": created[liked],
        }
    )
    solutions = frame.loc[frame["accepted_answer"], ["topic_id", "id", "user_id", "created_at"]]
    solutions.columns = ["topic_id", "post_id", "user_id", "accepted_at"]
    return Forum(
        users,
        memberships,
        categories,
        topics,
        frame,
        likes,
        solutions.drop_duplicates("topic_id"),
        pd.DataFrame(),
        pd.DataFrame(),
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def measure(posts: int) -> dict:
    """Generate then score a forum of `posts` posts in this process; return the figures."""
    began = time.perf_counter()
    forum = generate(posts)
    generated = time.perf_counter() - began
    rss_after_generation = _rss_mb()
    start, end = YEAR_START, YEAR_START + pd.Timedelta(days=365)
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        table = score(forum, ScoreWeights(), start=start, end=end)
        timings.append(time.perf_counter() - began)
    began = time.perf_counter()
    expertise_map(forum, ScoreWeights(), start=start, end=end)
    mapped = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "posts": posts,
        "generate_s": round(generated, 2),
        "score_s": round(min(timings), 2),
        "expertise_map_s": round(mapped, 2),
        "rss_after_generation_mb": round(rss_after_generation),
        "peak_rss_mb": round(peak),
        "people_scored": len(table),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return
    sizes = [int(arg) for arg in argv] or [100_000, 1_000_000]
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"pandas {pd.__version__}",
        file=sys.stderr,
    )
    print(
        "| posts | generation (s) | score (s, best of 3) | expertise map (s) | RSS after generation (MB) | peak RSS (MB) | people scored |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        output = subprocess.run(
            [sys.executable, "-m", "bench.score_bench", "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(output)
        print(
            f"| {r['posts']:,} | {r['generate_s']} | {r['score_s']} | {r['expertise_map_s']} | "
            f"{r['rss_after_generation_mb']} | {r['peak_rss_mb']} | {r['people_scored']:,} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
