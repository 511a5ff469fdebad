"""Step 5, the listing and the reconciliation: `/latest.json?per_page=100` in bump order
down to the topics bumped more than `reconcile_days` ago marks the topics whose listing fields
changed; a marked topic that does not match the mirror is re-read whole (`reread_topic`, which
the live mirror uses too). Finally topics known only from the listing take their author."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta

from sqlalchemy import Engine

from core.i18n import _
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound
from sync.mirror import db, records, store
from sync.mirror.steps.posts import fetch_likers
from sync.mirror.steps.run import Run

LISTING_PAGE = 100
LISTING_OVERLAP = timedelta(minutes=5)  # topics bumped while the previous listing was read
STATE_LISTING_HIGH = "listing.high_bumped_at"


def sync_listing(run: Run) -> None:
    """Walk `/latest.json`, mark changed topics and topics that left the listing."""
    with db.reader(run.engine).connect() as conn:
        high = store.get_state(conn, STATE_LISTING_HIGH)
    stop_at: datetime | None = None
    if not run.full and high is not None:
        window = run.clock() - timedelta(days=run.options.reconcile_days)
        stop_at = min(window, records.parse_time(high) - LISTING_OVERLAP)
    seen: set[int] = set()
    lowest: datetime | None = None
    highest: datetime | None = None
    reached_end = True
    pages = 0
    for page in run.api.iter_latest_topics(per_page=LISTING_PAGE):
        pages += 1
        regular = [topic for topic in page if (topic.get("archetype") or "regular") == "regular"]
        rows = [records.listing_row(topic) for topic in regular]
        tag_lists = [records.topic_tags(topic) for topic in regular]
        stop = False
        for row in rows:
            seen.add(row["id"])
            bumped = row["bumped_at"]
            if bumped is None or row["pinned"]:
                continue
            highest = bumped if highest is None or bumped > highest else highest
            lowest = bumped if lowest is None or bumped < lowest else lowest
            if stop_at is not None and bumped < stop_at:
                stop = True
        with run.engine.begin() as conn:
            marked = store.write_listing_page(conn, rows, tag_lists)
        run.topics += marked
        run.say(
            _(
                "Sujets : page {pages}, {topics} à vérifier ({requests} requêtes).",
                requests=run.requests_so_far,
                pages=pages,
                topics=marked,
            )
        )
        if stop:
            reached_end = False
            break
    with run.engine.begin() as conn:
        store.mark_vanished(conn, seen, None if reached_end else lowest)
        if highest is not None:
            store.set_state(conn, STATE_LISTING_HIGH, highest.isoformat())


def reconcile(run: Run) -> None:
    """Check each marked topic against the mirror; re-read only those that do not match."""
    with db.reader(run.engine).connect() as conn:
        marked = store.topics_to_check(conn)
    to_read = []
    consistent = []
    with db.reader(run.engine).connect() as conn:
        for start in range(0, len(marked), store.CHUNK):
            chunk = marked[start : start + store.CHUNK]
            posts = store.post_shapes(conn, [topic.id for topic in chunk])
            for topic in chunk:
                if records.matches_listing(topic._mapping, posts[topic.id]):
                    consistent.append(topic.id)
                else:
                    to_read.append(topic.id)
    if consistent:
        with run.engine.begin() as conn:
            for start in range(0, len(consistent), store.CHUNK):
                store.mark_checked(conn, consistent[start : start + store.CHUNK], run.clock())
    for done, topic_id in enumerate(to_read, start=1):
        reread_topic(
            run.engine,
            run.api,
            topic_id,
            run.tally,
            clock=run.clock,
            fetch_likers_too=run.options.fetch_likers,
        )
        if done % 10 == 0 or done == len(to_read):
            run.say(
                _(
                    "Relecture des sujets : {done}/{total} ({requests} requêtes).",
                    requests=run.requests_so_far,
                    done=done,
                    total=len(to_read),
                )
            )
    run.topics_reread = len(to_read)


def reread_topic(
    engine: Engine,
    api: DiscourseAPI,
    topic_id: int,
    tally: store.Tally,
    *,
    clock: Callable[[], datetime],
    fetch_likers_too: bool,
    write_lock: AbstractContextManager | None = None,
) -> None:
    """Read a topic with all its posts and write it as the forum shows it to an admin (a topic
    the forum no longer has is marked deleted).

    `write_lock`, if given, is held while writing (not while reading the forum).
    """
    guard = write_lock or nullcontext()
    try:
        view = api.topic_with_posts(topic_id)
    except DiscourseNotFound:
        with guard, engine.begin() as conn:
            store.mark_topic_gone(conn, topic_id, clock())
        return
    likers = fetch_likers(engine, api, view["post_stream"]["posts"], fetch_likers_too)
    with guard, engine.begin() as conn:
        store.write_topic_view(conn, topic_id, view, likers, tally, clock())


def fill_topic_authors(run: Run) -> None:
    """Topics known only from the listing take their author from their first post."""
    with run.engine.begin() as conn:
        store.fill_topic_authors(conn)
