"""Step 4, new posts: `/posts.json?before=` (50 posts a request, newest first) down to the
cursor, the highest post id already covered. The walk's progress (top, next `before`, floor)
is saved with every page; an interrupted walk is resumed, then a new walk picks up what came
meanwhile. Likers (setting `fetch_likers`) are read for the posts whose like count changed."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from core.i18n import _
from sync.discourse.client import DiscourseAPI
from sync.mirror import db, records, store
from sync.mirror.steps.run import Run

STATE_POSTS_CURSOR = "posts.cursor"
STATE_POSTS_WALK = "posts.walk"


def sync_posts(run: Run) -> None:
    """Walk `/posts.json` down to the cursor; resume an interrupted walk first."""
    pages = 0
    full_pending = run.full
    while True:
        with db.reader(run.engine).connect() as conn:
            walk = store.get_state(conn, STATE_POSTS_WALK)
            cursor_state = store.get_state(conn, STATE_POSTS_CURSOR)
        resumed = walk is not None
        if resumed:
            walk_state = json.loads(walk)
        else:
            floor = 0 if full_pending else int(cursor_state or 0)
            walk_state = {"top": None, "before": None, "floor": floor}
            full_pending = False
        floor = walk_state["floor"]
        for fresh in run.api.iter_latest_posts(stop_at_id=floor, before=walk_state["before"]):
            pages += 1
            if walk_state["top"] is None:
                walk_state["top"] = max(post["id"] for post in fresh)
            walk_state["before"] = min(post["id"] for post in fresh) - 1
            likers = fetch_likers(run.engine, run.api, fresh, run.options.fetch_likers)
            with run.engine.begin() as conn:  # the page and its cursor: one transaction
                changed = store.write_posts(conn, fresh, likers, run.tally, from_topic_view=False)
                store.set_state(conn, STATE_POSTS_WALK, json.dumps(walk_state))
            run.say(
                _(
                    "Messages : page {pages}, {posts} nouveaux ou modifiés ({requests} requêtes).",
                    requests=run.requests_so_far,
                    pages=pages,
                    posts=changed,
                )
            )
        with run.engine.begin() as conn:
            cursor = max(walk_state["top"] or floor, floor)
            store.set_state(conn, STATE_POSTS_CURSOR, str(cursor))
            store.clear_state(conn, STATE_POSTS_WALK)
        if not resumed and not full_pending:
            return


def fetch_likers(
    engine: Engine, api: DiscourseAPI, posts: list[dict], enabled: bool
) -> dict[int, list[int]]:
    """Who liked each post whose like count differs from the mirror (when `enabled`: the
    setting `fetch_likers`), one `/post_action_users.json` walk per such post."""
    if not enabled or not posts:
        return {}
    with db.reader(engine).connect() as conn:
        stored = store.like_counts(conn, [post["id"] for post in posts])
    likers: dict[int, list[int]] = {}
    for post in posts:
        count = records.action_count(post, [records.LIKE])
        if count != stored.get(post["id"], 0):
            likers[post["id"]] = [
                user["id"] for page in api.iter_post_action_users(post["id"]) for user in page
            ]
    return likers
