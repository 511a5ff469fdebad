"""`campus sync`: keep the local mirror equal to the forum, incrementally, within the API budget.

The admin API allows 60 requests a minute for the whole site, so every step reads the cheapest
listing that can reveal a change, and only then the details.

Steps of one sync (each page is written in one transaction together with the cursor that says
it is done, so a sync killed at any instant and run again ends with exactly the forum's data):

1. Groups: `/groups/search.json` lists every group with its `user_count` in one request. The
   members of a non-automatic group are re-read (`/groups/{name}/members.json?limit=1000`) only
   when its count changed; the stored count is the group's cursor, written with its members.
2. Categories: `/site.json` (flat list with subcategories and Solved's custom field), 1 request.
   Their group permissions (who may read them: relay and digest need it) come with it where the
   forum lists them (the sandbox); real Discourse does not, so a read-restricted category is
   read once through `/c/{id}/show.json` (about 220 requests on the first sync of a network of
   74 cooperatives, again with `--full`; a category open to everyone costs nothing). Topic tags
   come with the listing and the topic views.
3. Users. The first sync (and `--full`) takes the accounts from the group member listings, not
   from `/admin/users/list/all.json` (100 a page): `trust_level_0` holds every account that is
   not staged, and a member listing gives 1,000 of them a request. The members of the other
   groups, read at step 1 anyway, plus the staff (`/admin/users/list/staff.json`, which also
   gives the admin and moderator flags), minus the staged accounts
   (`/admin/users/list/staged.json`), are usually all of them: when they are exactly as many as
   `trust_level_0` counts, nothing more is read; otherwise the members of `trust_level_0` are
   read. Accounts no longer there are marked deleted. A member object carries id, username,
   name and last_seen_at, no creation date, trust level nor `active` flag: those columns are
   left as they were (NULL / 0 / true for accounts first seen this way); nothing in `analytics`
   reads them. Later syncs read `/admin/users/list/all.json` (newest accounts first, with
   those three fields) only while its pages hold unknown accounts, and only when a group count
   moved (a new account joins `trust_level_0`); staff.json again when the count of `admins`,
   `moderators` or `staff` moved. Suspensions come from `/admin/users/list/suspended.json`
   (usually 1 request). Cooperative and role are derived from the memberships: a cooperative is
   a group named like a cooperative (a top-level category slug that is not a network category,
   or a slug of cooperatives.csv), a role comes from the template's role groups.

   Checked in Discourse's source: `GroupsController#members` calls
   `guardian.ensure_can_see_group_members!`, and `GroupGuardian#can_see_group_members?` returns
   true for an admin whatever the group's visibility, automatic groups included; it lists
   `group.users.human_users` (ids > 0), `limit` up to `MEMBERS_MAX_PAGE_SIZE = 1_000`, with
   `GroupUserSerializer` (id, username, name, avatar_template, title, last_posted_at,
   last_seen_at, added_at, timezone). `Group.refresh_automatic_group!` fills `trust_level_0`
   with `SELECT id FROM users WHERE NOT staged` and removes staged accounts; `user_count` counts
   its members with id > 0. The group is found by id (`AUTO_GROUPS[:trust_level_0] = 10`), as
   its name follows the site's locale.
4. New posts: `/posts.json?before=` (50 posts a request, newest first) down to the cursor (the
   highest post id already covered). The walk's progress (top, next `before`, floor) is saved
   with every page; an interrupted walk is resumed, then a new walk picks up what came meanwhile.
5. Listing and reconciliation: `/latest.json?per_page=100` in bump order, down to the topics
   bumped more than `reconcile_days` ago (all of it on the first sync and with `--full`). A
   topic whose listing fields changed since last seen (bumped_at, posts_count,
   highest_post_number, like_count, has_accepted_answer) is marked `needs_check` in the same
   transaction. A marked topic is then compared with the mirror: its post numbers must cover
   1..highest_post_number (`/posts.json` never shows deleted or hidden posts, whispers or small
   actions), its live posts must number posts_count, their likes must sum to like_count and an
   accepted answer must be known if the listing says so. Only a topic that fails is re-read
   through `/t/{id}.json` + `/t/{id}/posts.json` (20 posts a request): edits (updated_at,
   version), deletions (deleted_at, which an admin key sees), like and flag counts, hidden,
   accepted answers and polls (aggregate option counts only) of all its posts.
   A topic deleted as a whole leaves the listing: a mirrored topic bumped inside the walked range
   that the listing no longer shows is re-read (an admin gets it with deleted_at; 404 means it is
   gone).
6. Likers (setting `fetch_likers`, off by default): `/post_action_users.json` for each post
   whose like count changed, one request per post (and per 200 likers).
7. The checks webhooks left (`sync.mirror.steps.checks`): posts, topics and accounts a webhook
   event named but the web service could not check against the forum yet (it was down, or
   Campus was killed), re-read the way the live mirror does; an incremental sync does them too.
8. Acceptance times (`steps/acceptances.py`): for the solutions not dated yet, the Solved
   plugin's SOLVED user actions of their authors (`/user_actions.json?filter=15`), about one
   request per author, once; the `accepted_solution` webhook dates new solutions first.

Request cost:
- idle sync: 5 requests (groups, categories, suspended users, 1 page of posts, 1 page of the
  listing when fewer than 100 topics were bumped within `reconcile_days`);
- new posts: 1 request per 50 posts; new accounts: 1 per 100; a group whose members changed:
  1 per 1,000 members;
- reconciliation: 1 listing request per 100 topics bumped within the window, plus, for each
  changed topic that no longer matches, 1 + ceil((posts - 20) / 20) requests;
- full sync of P posts, T topics: about P/50 + T/100 + (members of each non-automatic
  group)/1000 + 4 (groups, categories, staff, staged, suspended) + re-reads of the topics
  holding deleted or hidden posts, + N/1000 for N accounts when some account is in no group
  and not staff.

Limits: an edit alone changes no listing field, so it is seen when its topic changes again
(a new post, a like, a deletion, an accepted answer) or by `campus sync --full` (every visible
post's version comes back with `/posts.json`). Changes in topics bumped before the window are
seen the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from core.errors import Stopped
from core.i18n import _, format_number, ngettext
from sync.discourse.client import DiscourseAPI
from sync.mirror import store
from sync.mirror.db import connect
from sync.mirror.lock import acquire_lock
from sync.mirror.steps import checks
from sync.mirror.steps.acceptances import date_acceptances
from sync.mirror.steps.categories import sync_categories
from sync.mirror.steps.groups import sync_groups
from sync.mirror.steps.posts import sync_posts
from sync.mirror.steps.run import Progress, Run
from sync.mirror.steps.topics import fill_topic_authors, reconcile, sync_listing
from sync.mirror.steps.users import sync_users, update_affiliations
from sync.settings import ForumTemplate, SyncSettings


@dataclass(frozen=True)
class SyncOptions:
    """What the sync needs from the configuration (plain values, built by `cli.py`)."""

    reconcile_days: int = 30
    fetch_likers: bool = False
    role_groups: Mapping[str, str] = field(
        default_factory=lambda: {
            "entrepreneur": "entrepreneurs",
            "appui": "equipes-appui",
            "direction": "directions",
        }
    )
    network_category_slugs: frozenset[str] = frozenset({"campus", "labo-qvt", "direction"})
    cooperative_slugs: frozenset[str] = frozenset()


@dataclass
class SyncSummary:
    """What one sync changed; `as_json()` is the DESIGN §3 `sync --json` object (and more).

    users: accounts added or changed; topics: topics new or changed in the listing; posts:
    new / updated (edits, likes, flags, hidden, accepted) / deleted; likes: total change of like
    counts over the posts written; solutions: topics whose accepted answer was set, changed or
    cleared; requests: every HTTP request of this sync, retries included.
    """

    full: bool = False
    requests: int = 0
    users: int = 0
    topics: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    posts_deleted: int = 0
    likes: int = 0
    solutions: int = 0
    seconds: float = 0.0
    groups_refreshed: int = 0
    topics_reread: int = 0
    acceptances_dated: int = 0
    requests_by_endpoint: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "users": self.users,
            "topics": self.topics,
            "posts": {
                "new": self.posts_new,
                "updated": self.posts_updated,
                "deleted": self.posts_deleted,
            },
            "likes": self.likes,
            "solutions": self.solutions,
            "seconds": round(self.seconds, 3),
            "full": self.full,
            "groups_refreshed": self.groups_refreshed,
            "topics_reread": self.topics_reread,
            "acceptances_dated": self.acceptances_dated,
            "requests_by_endpoint": dict(sorted(self.requests_by_endpoint.items())),
        }


def sync_options(
    template: ForumTemplate, settings: SyncSettings, cooperative_slugs: Iterable[str] = ()
) -> SyncOptions:
    """The sync's options from the configuration (and the slugs of cooperatives.csv, if read)."""
    return SyncOptions(
        reconcile_days=settings.reconcile_days,
        fetch_likers=settings.fetch_likers,
        role_groups=dict(template.role_groups),
        network_category_slugs=frozenset(spec.slug for spec in template.network_categories),
        cooperative_slugs=frozenset(cooperative_slugs),
    )


def run_sync(
    database_url: str,
    api: DiscourseAPI,
    options: SyncOptions,
    *,
    full: bool = False,
    progress: Progress | None = None,
) -> SyncSummary:
    """Lock the database against a second sync, open (and migrate) it, and sync it."""
    with acquire_lock(database_url, "sync"):
        engine = connect(database_url)
        try:
            return sync_mirror(engine, api, options, full=full, progress=progress)
        finally:
            engine.dispose()


def format_summary(summary: SyncSummary, lang: str | None = None) -> str:
    """One paragraph for the terminal, in the user's language, each count with its plural
    (« 1 membre », « 0 modifié », « 2 495 sujets »)."""
    parts = [
        ngettext(
            "{n} requête en {seconds} s.",
            "{n} requêtes en {seconds} s.",
            summary.requests,
            lang,
            seconds=format_number(summary.seconds, 1, lang),
        ),
        ngettext(
            "{n} membre nouveau ou modifié ;",
            "{n} membres nouveaux ou modifiés ;",
            summary.users,
            lang,
        ),
        ngettext(
            "{n} sujet nouveau ou modifié ;",
            "{n} sujets nouveaux ou modifiés ;",
            summary.topics,
            lang,
        ),
        _("messages :", lang),
        ngettext("{n} nouveau,", "{n} nouveaux,", summary.posts_new, lang),
        ngettext("{n} modifié,", "{n} modifiés,", summary.posts_updated, lang),
        ngettext("{n} supprimé ;", "{n} supprimés ;", summary.posts_deleted, lang),
        _("J'aime : {n} de différence ;", lang, n=format_number(summary.likes, 0, lang)),
        ngettext("{n} solution changée.", "{n} solutions changées.", summary.solutions, lang),
    ]
    return " ".join(parts)


def sync_mirror(
    engine: Engine,
    api: DiscourseAPI,
    options: SyncOptions | None = None,
    *,
    full: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> SyncSummary:
    """Bring the mirror in `engine` up to date with the forum behind `api`; see the module doc.

    The caller holds the database lock (`sync.mirror.lock.acquire_lock`). `clock` gives naive UTC.
    The run is recorded in `sync_runs` ("running", then "success", "failed" or "interrupted":
    a stop was requested — `core.errors.Stopped`, raised by the client between two pages — or,
    marked when the next run starts, a process killed mid-way).
    """
    run = Run(engine, api, options or SyncOptions(), full, progress, clock, api.total_requests)
    summary = SyncSummary(full=full)
    counts_at_start = dict(api.request_counts)
    started = time.monotonic()
    with engine.begin() as conn:
        run_id = store.start_run(conn, clock(), full)
    outcome = "failed"
    try:
        moved_groups = sync_groups(run)
        sync_categories(run)
        sync_users(run, moved_groups)
        update_affiliations(run)
        sync_posts(run)
        sync_listing(run)
        reconcile(run)
        checks.finish(run)
        fill_topic_authors(run)
        summary.acceptances_dated = date_acceptances(run)
        outcome = "success"
    except Stopped:
        outcome = "interrupted"  # stopped between two pages: the next sync resumes the walk
        raise
    finally:
        _fill_summary(summary, run, counts_at_start)
        summary.seconds = time.monotonic() - started
        with engine.begin() as conn:
            store.finish_run(conn, run_id, clock(), summary.requests, outcome)
    run.say(
        _(
            "Synchronisation terminée en {seconds} s : {requests} requêtes.",
            requests=run.requests_so_far,
            seconds=format_number(summary.seconds, 1),
        )
    )
    return summary


def _fill_summary(summary: SyncSummary, run: Run, counts_at_start: Mapping[str, int]) -> None:
    """The summary's counts from what the steps and the store's writers counted."""
    tally = run.tally
    summary.requests = run.requests_so_far
    summary.requests_by_endpoint = {
        endpoint: count - counts_at_start.get(endpoint, 0)
        for endpoint, count in run.api.request_counts.items()
        if count - counts_at_start.get(endpoint, 0)
    }
    summary.users = tally.users
    summary.topics = run.topics
    summary.posts_new = tally.posts_new
    summary.posts_updated = tally.posts_updated
    summary.posts_deleted = tally.posts_deleted
    summary.likes = tally.likes
    summary.solutions = len(tally.solved_topics)
    summary.groups_refreshed = run.groups_refreshed
    summary.topics_reread = run.topics_reread
