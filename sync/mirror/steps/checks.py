"""The checks webhook events leave to do against the forum, and the sync step that finishes them.

A webhook that adds to a count or takes something back (a like, a deletion, an accepted answer,
a suspension…) is never written from its payload: the live mirror (`sync.mirror.live`) records
a check — a post, a topic or an account to re-read — in the event's own transaction (table
`webhook_checks`), and its background thread does it. A check is deleted only once done, so one
the thread could not do (the forum refused or was down, the process was killed) stays: the
thread tries it again later, and every sync, incremental too, does what is left (`finish`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from core.i18n import ngettext
from sync.discourse.client import TOPIC_CHUNK_SIZE, DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound
from sync.mirror import db, records, store
from sync.mirror.steps.posts import fetch_likers
from sync.mirror.steps.run import Run
from sync.mirror.steps.topics import reread_topic

if TYPE_CHECKING:  # defined by the orchestrator, which imports the steps
    from sync.mirror.pull import SyncOptions

POST_IDS_PER_REQUEST = TOPIC_CHUNK_SIZE


@dataclass
class Checks:
    """Checks to do: post ids by topic, topics, accounts; `ids` are their rows once recorded.

    `accepted`: posts (by topic) an `accepted_solution` delivery named; once recorded,
    `acceptances` gives each one's arrival time, the solution's acceptance time when the re-read
    confirms it (a solution already dated keeps its time: a replay moves nothing)."""

    posts: dict[int, set[int]] = field(default_factory=dict)
    topics: set[int] = field(default_factory=set)
    users: set[int] = field(default_factory=set)
    ids: list[int] = field(default_factory=list)
    accepted: dict[int, set[int]] = field(default_factory=dict)
    acceptances: dict[int, datetime] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.posts or self.topics or self.users or self.accepted)

    def size(self) -> int:
        """How many posts, topics and accounts to check."""
        return sum(len(ids) for ids in self.posts.values()) + len(self.topics) + len(self.users)


def record(conn: Connection, checks: Checks, at: datetime) -> None:
    """Record `checks` in the caller's transaction (the webhook event's)."""
    store.queue_checks(conn, checks.posts, checks.topics, checks.users, at, checks.accepted)


def queued(engine: Engine) -> Checks:
    """Every recorded check still to do, with its rows' ids."""
    checks = Checks()
    with db.reader(engine).connect() as conn:
        rows = store.queued_checks(conn)
    for row in rows:
        checks.ids.append(row.id)
        if row.kind == "post":
            checks.posts.setdefault(int(row.topic_id), set()).add(int(row.target_id))
        elif row.kind == "accepted":
            checks.posts.setdefault(int(row.topic_id), set()).add(int(row.target_id))
            checks.acceptances.setdefault(int(row.target_id), row.queued_at)
        elif row.kind == "topic":
            checks.topics.add(int(row.target_id))
        else:
            checks.users.add(int(row.target_id))
    return checks


def pending(engine: Engine) -> int:
    """How many recorded checks are still to do."""
    with db.reader(engine).connect() as conn:
        return store.count_checks(conn)


def run_checks(
    engine: Engine,
    client: DiscourseAPI,
    checks: Checks,
    options: SyncOptions,
    *,
    clock: Callable[[], datetime],
    write_lock: AbstractContextManager | None = None,
) -> None:
    """Ask the forum about `checks`, write what it says, then forget the recorded ones.

    Raises what the forum or the database raised: the checks then stay recorded, for the next
    attempt or the next sync. `write_lock`, if given, is held while writing."""
    guard = write_lock or nullcontext()

    def reread(topic_id: int) -> None:
        reread_topic(
            engine,
            client,
            topic_id,
            store.Tally(),
            clock=clock,
            fetch_likers_too=options.fetch_likers,
            write_lock=write_lock,
        )

    for topic_id in sorted(checks.topics):
        reread(topic_id)
    with db.reader(engine).connect() as conn:
        mirrored = store.regular_topics_among(conn, checks.posts)
    for topic_id, post_ids in sorted(checks.posts.items()):
        if topic_id in checks.topics or topic_id not in mirrored:
            continue  # re-read whole just above, or a topic the sync has not brought yet
        ids = sorted(post_ids)
        for start in range(0, len(ids), POST_IDS_PER_REQUEST):
            chunk = ids[start : start + POST_IDS_PER_REQUEST]
            try:
                answer = client.posts(topic_id, post_ids=chunk)
            except DiscourseNotFound:
                reread(topic_id)  # gone: the sync's rule
                break
            posts = answer.get("post_stream", {}).get("posts") or []
            likers = fetch_likers(engine, client, posts, options.fetch_likers)
            with guard, engine.begin() as conn:
                store.write_posts(conn, posts, likers, store.Tally(), from_topic_view=False)
    if checks.acceptances:  # only solutions the re-reads above confirmed and not dated yet
        with guard, engine.begin() as conn:
            store.write_acceptance_times(conn, checks.acceptances, "webhook")
    for user_id in sorted(checks.users):
        _check_user(engine, client, user_id, options, clock=clock, guard=guard)
    if checks.ids:
        with guard, engine.begin() as conn:
            store.clear_checks(conn, checks.ids)


def _check_user(
    engine: Engine,
    client: DiscourseAPI,
    user_id: int,
    options: SyncOptions,
    *,
    clock: Callable[[], datetime],
    guard: AbstractContextManager,
) -> None:
    """An account as the forum shows it: suspended or not, deleted, and its memberships."""
    try:
        user = client.user_by_id(user_id) or {}
    except DiscourseNotFound:
        user = None
    groups = {int(group["id"]) for group in (user or {}).get("groups") or []}
    with guard, engine.begin() as conn:
        if user is None:
            store.set_user_flags(conn, user_id, deleted=True)
        elif "suspended_till" in user:
            till = records.parse_time(user["suspended_till"])
            suspended = till is not None and till > clock()
            store.set_user_flags(conn, user_id, suspended=suspended)
        if store.set_user_groups(conn, user_id, groups):
            store.update_affiliations(
                conn,
                options.network_category_slugs,
                options.cooperative_slugs,
                options.role_groups,
                only=[user_id],
            )


def finish(run: Run) -> None:
    """The sync's step: do the checks webhooks left (the live mirror could not, or not yet)."""
    checks = queued(run.engine)
    if not checks:
        return
    run_checks(run.engine, run.api, checks, run.options, clock=run.clock)
    run.say(
        ngettext(
            "Vérifications laissées par les webhooks : {n} faite.",
            "Vérifications laissées par les webhooks : {n} faites.",
            checks.size(),
        )
    )
