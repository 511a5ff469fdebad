"""A seeded synthetic mirror for the lab benchmark: 74 cooperatives × 108 members, 60 months.

Written straight into the mirror's tables (fast executemany), with what the lab's outcomes look
at: questions and first responses (exponential delays), heavy-tailed helpers, late-night posters,
accepted answers, likes, and closed pulse polls per cooperative and month (some under 5 voters).
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine

ROLES = np.array(["entrepreneur", "appui", "direction"])
AXES = (
    "intensite",
    "exigences_emotionnelles",
    "autonomie",
    "rapports_sociaux",
    "conflits_valeurs",
    "insecurite",
)
SCALE = ("Pas du tout d'accord", "Plutôt pas d'accord", "Mitigé", "Plutôt d'accord", "Tout à fait")


def months_until(last: str, count: int) -> list[str]:
    """The `count` months ending with `last` (`YYYY-MM`), oldest first."""
    year, month = int(last[:4]), int(last[5:7])
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def _stamp(seconds: np.ndarray) -> list[str]:
    values = np.datetime64("1970-01-01T00:00:00") + seconds.astype("int64").astype("timedelta64[s]")
    return [str(v).replace("T", " ") for v in values]


def fill_lab_mirror(
    engine: Engine,
    *,
    posts: int = 1_000_000,
    cooperatives: int = 74,
    members_per_coop: int = 108,
    months: int = 60,
    last_month: str = "2026-10",
    seed: int = 2026,
) -> dict:
    """Fill an empty, migrated mirror; return what was written."""
    rng = np.random.default_rng(seed)
    month_list = months_until(last_month, months)
    start = np.datetime64(f"{month_list[0]}-01T00:00:00").astype("int64")
    end_year, end_month = int(last_month[:4]), int(last_month[5:7]) + 1
    if end_month == 13:
        end_year, end_month = end_year + 1, 1
    end = np.datetime64(f"{end_year:04d}-{end_month:02d}-01T00:00:00").astype("int64")
    slugs = [f"coop-{i:02d}" for i in range(1, cooperatives + 1)]

    categories = [(1, "Campus", "campus", None, 1), (2, "Direction", "direction", None, 0)]
    for i, slug in enumerate(slugs):
        top = 100 + 10 * i
        categories += [
            (top, f"Coopérative {i + 1}", slug, None, 0),
            (top + 1, "Entraide", "entraide", top, 1),
            (top + 2, "Vie de la coopérative", "vie", top, 0),
        ]
    n_users = cooperatives * members_per_coop
    user_coop = np.repeat(np.arange(cooperatives), members_per_coop)
    user_role = ROLES[rng.choice(3, size=n_users, p=[0.8, 0.15, 0.05])]
    weight = rng.pareto(1.2, size=n_users) + 0.05
    weight /= weight.sum()
    night_owl = rng.random(n_users) < 0.1

    replies_per_topic = 5.0
    n_topics = int(posts / (1 + replies_per_topic * 0.85))
    authors = rng.choice(n_users, size=n_topics, p=weight)
    topic_created = rng.uniform(start, end - 86400 * 3, size=n_topics)
    where = rng.random(n_topics)
    coop_top = 100 + 10 * user_coop[authors]
    topic_category = np.where(where < 0.15, 1, np.where(where < 0.75, coop_top + 1, coop_top + 2))

    counts = rng.poisson(replies_per_topic, size=n_topics)
    counts[rng.random(n_topics) < 0.15] = 0
    reply_topic = np.repeat(np.arange(n_topics), counts)
    n_replies = len(reply_topic)
    repliers = rng.choice(n_users, size=n_replies, p=weight)
    local = user_coop[authors[reply_topic]] * members_per_coop + rng.integers(
        0, members_per_coop, n_replies
    )
    repliers = np.where(rng.random(n_replies) < 0.4, local, repliers)
    reply_created = topic_created[reply_topic] + rng.exponential(20 * 3600, size=n_replies)
    late = night_owl[repliers] & (rng.random(n_replies) < 0.6)
    reply_created = np.where(late, reply_created - reply_created % 86400 + 77400, reply_created)
    reply_created = np.maximum(reply_created, topic_created[reply_topic] + 60)

    post_topic = np.concatenate([np.arange(n_topics), reply_topic])
    post_user = np.concatenate([authors, repliers])
    post_created = np.concatenate([topic_created, reply_created])
    order = np.lexsort((post_created, post_topic))
    post_topic, post_user, post_created = post_topic[order], post_user[order], post_created[order]
    boundaries = np.r_[True, post_topic[1:] != post_topic[:-1]]
    starts = np.flatnonzero(boundaries)
    post_number = np.arange(len(order)) - starts[np.cumsum(boundaries) - 1] + 1
    post_ids = np.arange(1, len(order) + 1)
    first_reply = post_number == 2
    solved_topics = post_topic[first_reply][rng.random(int(first_reply.sum())) < 0.3]
    solved_posts = post_ids[first_reply][np.isin(post_topic[first_reply], solved_topics)]
    accepted = np.isin(post_ids, solved_posts)
    accepted_of_topic = dict(zip(solved_topics.tolist(), solved_posts.tolist(), strict=True))
    likes = rng.poisson(0.6, size=len(order))

    with engine.begin() as conn:
        run = conn.exec_driver_sql
        run(
            "INSERT INTO categories (id, name, slug, parent_id, accepted_answers, read_restricted) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            categories,
        )
        run(
            "INSERT INTO users (id, username, name, trust_level, admin, moderator, active, staged, "
            "suspended, deleted, cooperative, role, created_at) "
            "VALUES (?, ?, NULL, 1, 0, 0, 1, 0, 0, 0, ?, ?, '2020-01-01 00:00:00')",
            [
                (k + 1, f"membre{k + 1}", slugs[user_coop[k]], str(user_role[k]))
                for k in range(n_users)
            ],
        )
        topic_text = _stamp(topic_created)
        run(
            "INSERT INTO topics (id, title, category_id, user_id, archetype, created_at, "
            "posts_count, highest_post_number, closed, visible, accepted_post_id) "
            "VALUES (?, ?, ?, ?, 'regular', ?, 0, 0, 0, 1, ?)",
            [
                (t + 1, f"Sujet {t}", int(topic_category[t]), int(authors[t]) + 1, topic_text[t],
                 accepted_of_topic.get(t))
                for t in range(n_topics)
            ],
        )  # fmt: skip
        run(
            "INSERT INTO posts (id, topic_id, post_number, reply_to_post_number, user_id, "
            "created_at, post_type, version, like_count, flag_count, hidden, accepted_answer) "
            "VALUES (?, ?, ?, NULL, ?, ?, 1, 1, ?, 0, 0, ?)",
            list(
                zip(
                    post_ids.tolist(),
                    (post_topic + 1).tolist(),
                    post_number.tolist(),
                    (post_user + 1).tolist(),
                    _stamp(post_created),
                    likes.tolist(),
                    accepted.astype(int).tolist(),
                    strict=True,
                )
            ),
        )
        run(
            "INSERT INTO solutions (topic_id, post_id, user_id) VALUES (?, ?, NULL)",
            [(t + 1, p) for t, p in accepted_of_topic.items()],
        )
        polls, options = [], []
        poll_id = 0
        for m, month in enumerate(month_list):
            for c, slug in enumerate(slugs):
                voters = int(rng.integers(3, 30))
                post_id = len(order) + 10 + m * cooperatives + c
                for axis in AXES:
                    poll_id += 1
                    votes = np.bincount(rng.integers(0, 5, voters), minlength=5)
                    polls.append((poll_id, post_id, 9_000_000 + post_id, axis, voters, month, slug))
                    options += [
                        (poll_id, f"{poll_id}-{k}", k + 1, SCALE[k], int(votes[k]))
                        for k in range(5)
                    ]
        run(
            "INSERT INTO polls (id, post_id, topic_id, name, status, close_at, voters, "
            "pulse_month, cooperative) VALUES (?, ?, ?, ?, 'closed', '2026-11-01 00:00:00', ?, ?, ?)",
            polls,
        )
        run(
            "INSERT INTO poll_options (poll_id, option_id, position, label, votes) "
            "VALUES (?, ?, ?, ?, ?)",
            options,
        )
    return {"posts": len(order), "topics": n_topics, "members": n_users, "months": months}
