"""Helpers shared by the mirror tests: a client on a sandbox, a sync, and comparable dumps."""

from __future__ import annotations

from sqlalchemy import Engine, select

from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.mirror.pull import SyncOptions, SyncSummary, sync_mirror
from sync.mirror.schema import Base
from sync.mirror.stats import mirror_stats

#: wide enough to reconcile the whole generated year (the default 30 days is tested apart)
WHOLE_FORUM = SyncOptions(reconcile_days=3650)

#: what a dump compares, table by table (run bookkeeping and check times excluded)
DUMPED = {
    "users": "id, username, trust_level, admin, moderator, staged, suspended, deleted, cooperative, role",
    "groups": "id, name, automatic, user_count",
    "group_memberships": "group_id, user_id",
    "categories": "id, slug, parent_id, accepted_answers",
    "topics": "id, category_id, user_id, archetype, deleted_at, posts_count, highest_post_number, "
    "like_count, has_accepted_answer, accepted_post_id, needs_check",
    "posts": "id, topic_id, post_number, reply_to_post_number, user_id, created_at, updated_at, "
    "deleted_at, post_type, version, like_count, flag_count, hidden, accepted_answer",
    "likes": "post_id, user_id",
    "solutions": "topic_id, post_id, user_id",
    "polls": "post_id, name, status, voters",
    "sync_state": "key, value",
}


def make_api(url: str, api_key: str, **settings) -> DiscourseAPI:
    """A client without client-side budget or real sleeps (the sandbox has no rate limit)."""
    values = {"requests_per_minute": 1_000_000, "max_retries": 8, **settings}
    return DiscourseAPI(
        DiscourseSettings(url=url, api_key=api_key, **values), sleep=lambda _seconds: None
    )


def sync(
    engine: Engine, api: DiscourseAPI, options: SyncOptions = WHOLE_FORUM, **kwargs
) -> SyncSummary:
    return sync_mirror(engine, api, options, **kwargs)


def counts(engine: Engine) -> dict:
    """`campus stats` without `last_sync` and `last_webhook`, comparable with the sandbox's truth."""
    stats = mirror_stats(engine)
    stats.pop("last_sync")
    stats.pop("last_webhook")
    return stats


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every mirrored fact, sorted, to compare two mirrors of the same forum."""
    with engine.connect() as conn:
        return {
            name: sorted(
                tuple(repr(value) for value in row)
                for row in conn.execute(
                    select(*[Base.metadata.tables[name].c[c.strip()] for c in columns.split(",")])
                )
            )
            for name, columns in DUMPED.items()
        }
