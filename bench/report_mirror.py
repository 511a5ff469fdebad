"""A synthetic mirror for the report tests and the report benchmark (seeded, reproducible).

It writes the mirror's tables directly (fast executemany), with the patterns the report looks
for: a few heavy helpers, late-night and weekend posters, unanswered questions, accepted
answers, flags, cross-cooperative replies and closed pulse polls (some under 5 voters).
`hostile=True` gives cooperative names, usernames and titles that carry HTML/JS.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine

from core.vocabulary import AXES, month_bounds
from sync.forum.barometer_topics import PulseSettings, option_digest

ROLES = np.array(["entrepreneur", "appui", "direction"])
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _stamp(seconds: np.ndarray) -> list[str]:
    base = np.datetime64("1970-01-01T00:00:00")
    values = base + seconds.astype("int64").astype("timedelta64[s]")
    return [str(v).replace("T", " ") for v in values]


def fill_mirror(
    engine: Engine,
    *,
    cooperatives: int = 3,
    members_per_coop: int = 25,
    topics: int = 600,
    replies_per_topic: float = 3.0,
    months: tuple[str, ...] = ("2026-08", "2026-09", "2026-10"),
    seed: int = 1,
    hostile: bool = False,
) -> list[str]:
    """Fill an empty, migrated mirror; return the cooperative slugs."""
    rng = np.random.default_rng(seed)
    slugs = [f"coop-{i:02d}" for i in range(1, cooperatives + 1)]
    start = month_bounds(months[0], "Europe/Paris")[0].timestamp()
    end = month_bounds(months[-1], "Europe/Paris")[1].timestamp()

    categories = []  # id, name, slug, parent_id, accepted_answers
    entraide, vie = {}, {}
    for i, slug in enumerate(slugs):
        top = 100 + 10 * i
        name = f"Coopérative {i + 1}" + (f" {HOSTILE}" if hostile and i == 0 else "")
        categories += [
            (top, name, slug, None, 0),
            (top + 1, "Entraide", "entraide", top, 1),
            (top + 2, "Vie de la coopérative", "vie", top, 0),
        ]
        entraide[slug], vie[slug] = top + 1, top + 2
    categories += [(1, "Campus", "campus", None, 1), (2, "Direction", "direction", None, 0)]

    n_users = cooperatives * members_per_coop
    user_ids = np.arange(1, n_users + 1)
    user_coop = np.repeat(np.arange(cooperatives), members_per_coop)
    user_role = ROLES[rng.choice(3, size=n_users, p=[0.8, 0.15, 0.05])]
    usernames = [(HOSTILE if hostile and uid == 1 else f"membre{uid}") for uid in user_ids.tolist()]
    activity = rng.pareto(1.2, size=n_users) + 0.05  # a few heavy helpers
    night_owl = rng.random(n_users) < 0.1

    # topics
    authors = rng.choice(n_users, size=topics, p=activity / activity.sum())
    topic_created = rng.uniform(start, end - 3600, size=topics)
    where = rng.random(topics)
    topic_category = np.array(
        [
            1
            if w < 0.15
            else entraide[slugs[user_coop[a]]]
            if w < 0.75
            else vie[slugs[user_coop[a]]]
            for w, a in zip(where, authors, strict=True)
        ]
    )
    topic_ids = np.arange(1, topics + 1)

    # replies
    counts = rng.poisson(replies_per_topic, size=topics)
    counts[rng.random(topics) < 0.15] = 0  # unanswered questions
    reply_topic = np.repeat(np.arange(topics), counts)
    n_replies = len(reply_topic)
    same_coop = rng.random(n_replies) < 0.8
    repliers = rng.choice(n_users, size=n_replies, p=activity / activity.sum())
    local = user_coop[authors[reply_topic]]
    pool = local * members_per_coop + rng.integers(0, members_per_coop, n_replies)
    repliers = np.where(same_coop & (rng.random(n_replies) < 0.5), pool, repliers)
    delays = rng.exponential(20 * 3600, size=n_replies)
    reply_created = topic_created[reply_topic] + np.sort(delays)
    late = night_owl[repliers] & (rng.random(n_replies) < 0.6)
    reply_created = np.where(
        late, reply_created - reply_created % 86400 + 21.5 * 3600, reply_created
    )
    reply_created = np.maximum(reply_created, topic_created[reply_topic] + 60)

    posts_topic = np.concatenate([np.arange(topics), reply_topic])
    posts_user = np.concatenate([authors, repliers])
    posts_created = np.concatenate([topic_created, reply_created])
    order = np.lexsort((posts_created, posts_topic))
    posts_topic, posts_user, posts_created = (
        posts_topic[order],
        posts_user[order],
        posts_created[order],
    )
    boundaries = np.r_[True, posts_topic[1:] != posts_topic[:-1]]
    starts = np.flatnonzero(boundaries)
    post_numbers = np.arange(len(order)) - starts[np.cumsum(boundaries) - 1] + 1
    flags = (rng.random(len(order)) < 0.01).astype(int)
    post_ids = np.arange(1, len(order) + 1)
    first_reply = post_numbers == 2
    first_reply_of = dict(
        zip(posts_topic[first_reply].tolist(), post_ids[first_reply].tolist(), strict=True)
    )
    chosen = np.unique(reply_topic[rng.random(n_replies) < 0.3]).tolist()
    solved = {t: first_reply_of[t] for t in chosen}

    created_text = _stamp(posts_created)
    topic_text = _stamp(topic_created)
    with engine.begin() as conn:
        run_sql = conn.exec_driver_sql
        run_sql(
            "INSERT INTO categories (id, name, slug, parent_id, accepted_answers, read_restricted) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            categories,
        )
        run_sql(
            "INSERT INTO users (id, username, name, trust_level, admin, moderator, active, staged, "
            "suspended, deleted, cooperative, role, created_at) "
            "VALUES (?, ?, NULL, 1, 0, 0, 1, 0, 0, 0, ?, ?, '2025-01-01 00:00:00')",
            [
                (int(uid), usernames[k], slugs[user_coop[k]], str(user_role[k]))
                for k, uid in enumerate(user_ids.tolist())
            ],
        )
        run_sql(
            "INSERT INTO topics (id, title, category_id, user_id, archetype, created_at, "
            "posts_count, highest_post_number, closed, visible, accepted_post_id) "
            "VALUES (?, ?, ?, ?, 'regular', ?, 0, 0, 0, 1, ?)",
            [
                (
                    int(topic_ids[t]),
                    (HOSTILE if hostile else "Sujet") + f" {t}",
                    int(topic_category[t]),
                    int(user_ids[authors[t]]),
                    topic_text[t],
                    solved.get(t),
                )
                for t in range(topics)
            ],
        )
        run_sql(
            "INSERT INTO posts (id, topic_id, post_number, reply_to_post_number, user_id, "
            "created_at, post_type, version, like_count, flag_count, hidden, accepted_answer) "
            "VALUES (?, ?, ?, NULL, ?, ?, 1, 1, 0, ?, 0, 0)",
            list(
                zip(
                    post_ids.tolist(),
                    (posts_topic + 1).tolist(),
                    post_numbers.tolist(),
                    user_ids[posts_user].tolist(),
                    created_text,
                    flags.tolist(),
                    strict=True,
                )
            ),
        )
        run_sql(
            "INSERT INTO solutions (topic_id, post_id, user_id) VALUES (?, ?, NULL)",
            [(t + 1, post_id) for t, post_id in solved.items()],
        )
        _pulse_polls(run_sql, rng, slugs, members_per_coop, months, posts_created.size)
        # the mirror was synced the day after its last month ended (the report's honesty guard)
        synced = month_bounds(months[-1], "Europe/Paris")[1] + timedelta(days=1)
        stamp = synced.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        run_sql(
            "INSERT INTO sync_runs (started_at, finished_at, full, requests, outcome) "
            "VALUES (?, ?, 1, 0, 'success')",
            (stamp, stamp),
        )
    return slugs


def _pulse_polls(run_sql, rng, slugs, members_per_coop, months, first_post_id) -> None:
    """Closed pulse polls for every cooperative and month; the first cooperative gets 4 voters."""
    labels = PulseSettings().scale()
    poll_id = 0
    close = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=1)
    for m, month in enumerate(months):
        for c, slug in enumerate(slugs):
            post_id = first_post_id + 1000 + m * len(slugs) + c
            voters = 4 if c == 0 else int(rng.integers(5, max(6, members_per_coop // 2)))
            for axis in AXES:
                poll_id += 1
                votes = np.bincount(rng.integers(0, 5, voters), minlength=5)
                run_sql(
                    "INSERT INTO polls (id, post_id, topic_id, name, status, close_at, voters, "
                    "pulse_month, cooperative) VALUES (?, ?, ?, ?, 'closed', ?, ?, ?, ?)",
                    (poll_id, post_id, 900000 + post_id, axis, str(close), voters, month, slug),
                )
                run_sql(
                    "INSERT INTO poll_options (poll_id, option_id, position, label, votes) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (poll_id, option_digest(label), k + 1, label, int(votes[k]))
                        for k, label in enumerate(labels)
                    ],
                )
