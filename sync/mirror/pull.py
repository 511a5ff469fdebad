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

import json
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.i18n import _, format_number
from sync.discourse.client import DiscourseAPI
from sync.discourse.errors import DiscourseNotFound
from sync.mirror import records
from sync.mirror.db import connect
from sync.mirror.lock import acquire_lock
from sync.mirror.schema import (
    Category,
    CategoryPermission,
    Group,
    Like,
    Membership,
    Poll,
    PollOption,
    Post,
    Solution,
    SyncRun,
    SyncState,
    Topic,
    TopicTag,
    User,
)
from sync.settings import ForumTemplate, SyncSettings

# every account, newest first: `active` is the list the API documentation names (Discourse
# applies no filter for it) and `order=created` puts the newest accounts first
USERS_FLAG = "active"
USERS_ORDER = {"order": "created"}
TRUST_LEVEL_0 = 10  # Group::AUTO_GROUPS[:trust_level_0]: every account that is not staged
STAFF_GROUPS = frozenset({1, 2, 3})  # Group::AUTO_GROUPS admins, moderators, staff
LISTING_PAGE = 100
CHUNK = 500  # ids per IN (…) list, well under SQLite's bound-parameter limit
LISTING_OVERLAP = timedelta(minutes=5)  # topics bumped while the previous listing was read
STATE_POSTS_CURSOR = "posts.cursor"
STATE_POSTS_WALK = "posts.walk"
STATE_LISTING_HIGH = "listing.high_bumped_at"
STATE_USERS_COMPLETE = "users.complete"


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
            "requests_by_endpoint": dict(sorted(self.requests_by_endpoint.items())),
        }


Progress = Callable[[str], None]


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
    """One paragraph for the terminal, in the user's language."""
    return _(
        "{requests} requêtes en {seconds} s. Comptes nouveaux ou modifiés : {users}. Sujets nouveaux ou modifiés : {topics}. Messages : {new} nouveaux, {updated} modifiés, {deleted} supprimés. J'aime : {likes} de différence. Solutions changées : {solutions}.",
        lang,
        seconds=format_number(summary.seconds, 1, lang),
        **{
            name: format_number(value, 0, lang)
            for name, value in {
                "requests": summary.requests,
                "users": summary.users,
                "topics": summary.topics,
                "new": summary.posts_new,
                "updated": summary.posts_updated,
                "deleted": summary.posts_deleted,
                "likes": summary.likes,
                "solutions": summary.solutions,
            }.items()
        },
    )


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
    """
    run = MirrorSync(engine, api, options or SyncOptions(), full, progress, clock)
    return run.run()


class MirrorSync:
    """One sync run: the steps of the module docstring, sharing counters and the summary.

    Its writers (`write_posts`, `set_solution`, `write_users`, `update_affiliations`,
    `reread_topic`) are also how the live mirror (`sync.mirror.live`) applies webhook events, so a
    post, a solution or an account is stored one way whatever told Campus about it.
    """

    def __init__(
        self,
        engine: Engine,
        api: DiscourseAPI,
        options: SyncOptions,
        full: bool,
        progress: Progress | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.api = api
        self.options = options
        self.full = full
        self.progress = progress
        self.clock = clock
        self.summary = SyncSummary(full=full)
        self.requests_at_start = api.total_requests
        self.counts_at_start = dict(api.request_counts)
        self.solved_topics: set[int] = set()
        self.listed_groups: list[dict] = []
        self.members_read: dict[int, dict] = {}  # users rows of the group members read
        self.every_group_read = False  # every non-automatic group with members read this run

    # ------------------------------------------------------------------ run

    def run(self) -> SyncSummary:
        started = time.monotonic()
        with self.engine.begin() as conn:
            run_id = conn.execute(
                SyncRun.__table__.insert().values(
                    started_at=self.clock(), full=self.full, outcome="running"
                )
            ).inserted_primary_key[0]
        outcome = "failed"
        try:
            moved_groups = self.sync_groups()
            self.sync_categories()
            self.sync_users(moved_groups)
            self.update_affiliations()
            self.sync_posts()
            self.sync_listing()
            self.reconcile()
            self.fill_topic_authors()
            outcome = "success"
        finally:
            self.summary.seconds = time.monotonic() - started
            self.summary.requests = self.api.total_requests - self.requests_at_start
            self.summary.requests_by_endpoint = {
                endpoint: count - self.counts_at_start.get(endpoint, 0)
                for endpoint, count in self.api.request_counts.items()
                if count - self.counts_at_start.get(endpoint, 0)
            }
            self.summary.solutions = len(self.solved_topics)
            with self.engine.begin() as conn:
                conn.execute(
                    update(SyncRun)
                    .where(SyncRun.id == run_id)
                    .values(
                        finished_at=self.clock(),
                        requests=self.summary.requests,
                        outcome=outcome,
                    )
                )
        self.say(
            _(
                "Synchronisation terminée en {seconds} s : {requests} requêtes.",
                requests=self.requests_so_far,
                seconds=format_number(self.summary.seconds, 1),
            )
        )
        return self.summary

    @property
    def requests_so_far(self) -> int:
        """Requests this sync has sent so far (progress lines say it)."""
        return self.api.total_requests - self.requests_at_start

    def say(self, line: str) -> None:
        """Show a progress line (already in the user's language) when progress is wanted."""
        if self.progress is not None:
            self.progress(line)

    # ------------------------------------------------------------------ groups

    def sync_groups(self) -> set[int]:
        """Groups and, for groups whose count moved, their members; the ids of those groups.

        A group that appeared or disappeared counts as moved.
        """
        listed = [records.group_row(group) for group in self.api.groups()]
        self.listed_groups = listed
        with self.engine.connect() as conn:
            stored = dict(conn.execute(select(Group.id, Group.user_count)).all())
        listed_ids = {row["id"] for row in listed}
        moved = (set(stored) ^ listed_ids) | {
            row["id"] for row in listed if stored.get(row["id"]) != row["user_count"]
        }
        due = [
            row
            for row in listed
            if not row["automatic"] and (self.full or stored.get(row["id"]) != row["user_count"])
        ]
        due_ids = {row["id"] for row in due}
        self.every_group_read = all(
            row["id"] in due_ids for row in listed if not row["automatic"] and row["user_count"]
        )
        with self.engine.begin() as conn:
            gone = set(stored) - listed_ids
            if gone:
                conn.execute(delete(Membership).where(Membership.group_id.in_(gone)))
                conn.execute(delete(Group).where(Group.id.in_(gone)))
            # a due group's new count is its cursor: written below together with its members
            upsert(conn, Group.__table__, [r for r in listed if r["id"] not in due_ids], ["id"])
        for row in due:
            members: set[int] = set()
            if row["user_count"]:
                for page in self.api.iter_group_members(row["name"]):
                    for member in page:
                        members.add(member["id"])
                        self.members_read[member["id"]] = records.member_row(member)
            with self.engine.begin() as conn:
                upsert(conn, Group.__table__, [row], ["id"])
                conn.execute(delete(Membership).where(Membership.group_id == row["id"]))
                if members:
                    conn.execute(
                        Membership.__table__.insert(),
                        [{"group_id": row["id"], "user_id": user_id} for user_id in members],
                    )
        self.summary.groups_refreshed = len(due)
        self.say(
            _(
                "Groupes : {groups} groupes, {refreshed} relus ({requests} requêtes).",
                requests=self.requests_so_far,
                groups=len(listed),
                refreshed=len(due),
            )
        )
        return moved

    # ------------------------------------------------------------------ categories

    def sync_categories(self) -> None:
        listed = self.api.all_categories()
        rows = [records.category_row(category) for category in listed]
        permissions = self._category_permissions(listed)
        with self.engine.begin() as conn:
            ids = [row["id"] for row in rows]
            conn.execute(delete(Category).where(Category.id.not_in(ids)))
            upsert(conn, Category.__table__, rows, ["id"])
            conn.execute(
                delete(CategoryPermission).where(CategoryPermission.category_id.not_in(ids))
            )
            for category_id, granted in permissions.items():
                conn.execute(
                    delete(CategoryPermission).where(CategoryPermission.category_id == category_id)
                )
                if granted:
                    conn.execute(CategoryPermission.__table__.insert(), granted)
        self.say(
            _(
                "Catégories : {categories} ({requests} requêtes).",
                requests=self.requests_so_far,
                categories=len(rows),
            )
        )

    def _category_permissions(self, listed: list[dict]) -> dict[int, list[dict]]:
        """Group permissions per category (who may read it: relay and digest need them).

        `/site.json` lists them in the sandbox; real Discourse does not, and then a
        read-restricted category is read once through `/c/{id}/show.json` (again on `--full`);
        a category open to everyone needs no request (`everyone` is written)."""
        with self.engine.connect() as conn:
            known = set(conn.execute(select(CategoryPermission.category_id).distinct()).scalars())
        result: dict[int, list[dict]] = {}
        for category in listed:
            rows = records.category_permission_rows(category)
            if rows is None and not category.get("read_restricted"):
                rows = [
                    {"category_id": category["id"], "group_name": "everyone", "permission_type": 1}
                ]
            elif rows is None and (self.full or category["id"] not in known):
                detail = self.api.category(category["id"]).get("category") or {}
                rows = records.category_permission_rows({**detail, "id": category["id"]}) or []
            if rows is not None:
                result[category["id"]] = rows
        return result

    # ------------------------------------------------------------------ users

    def sync_users(self, moved_groups: set[int]) -> None:
        """Accounts: all of them the first time and with --full, else only the new ones."""
        complete = self._state(STATE_USERS_COMPLETE) == "1"
        if self.full or not complete:
            staff = self._read_staff()
            staged = {user["id"] for page in self.api.iter_users("staged") for user in page}
            seen = self._write_every_account(staff, staged)
            with self.engine.begin() as conn:
                conn.execute(
                    update(User)
                    .where(User.staged.is_(True), User.id.not_in(staged))
                    .values(staged=False)
                )
                if staged:
                    conn.execute(update(User).where(User.id.in_(staged)).values(staged=True))
                stored = set(
                    conn.execute(
                        select(User.id).where(User.id > 0, User.staged.is_(False))
                    ).scalars()
                )
                gone = sorted(stored - seen)
                for start in range(0, len(gone), CHUNK):
                    conn.execute(
                        update(User)
                        .where(User.id.in_(gone[start : start + CHUNK]))
                        .values(deleted=True)
                    )
                self._write_staff(conn, staff)
                self._set_state(conn, STATE_USERS_COMPLETE, "1")
        elif moved_groups:
            now = self.clock()
            read = 0
            for page in self.api.iter_users(USERS_FLAG, **USERS_ORDER):
                rows = [records.user_row(user, now) for user in page]
                read += len(rows)
                with self.engine.begin() as conn:
                    new = self.write_users(conn, rows)
                if not new:
                    break
            self.say(
                _(
                    "Membres : {users} comptes lus ({requests} requêtes).",
                    requests=self.requests_so_far,
                    users=read,
                )
            )
            if moved_groups & STAFF_GROUPS:
                staff = self._read_staff()
                with self.engine.begin() as conn:
                    self._write_staff(conn, staff)
        suspended: set[int] = set()
        for page in self.api.iter_users("suspended"):
            suspended.update(user["id"] for user in page)
        with self.engine.begin() as conn:
            conn.execute(
                update(User)
                .where(User.suspended.is_(True), User.id.not_in(suspended))
                .values(suspended=False)
            )
            if suspended:
                conn.execute(update(User).where(User.id.in_(suspended)).values(suspended=True))

    def _write_every_account(self, staff: Mapping[int, dict], staged: set[int]) -> set[int]:
        """Write every account that is not staged; return their ids.

        `trust_level_0` holds exactly these accounts. When the members of every other group,
        read by this sync, and the staff, minus the staged accounts, are as many as
        `trust_level_0` counts, they are all of them and nothing more is read. Otherwise the
        members of `trust_level_0` are read (1,000 a request), or `/admin/users/list/all.json`
        (100 a request) on a forum that does not list that group.
        """
        now = self.clock()
        trust_level_0 = next(
            (group for group in self.listed_groups if group["id"] == TRUST_LEVEL_0), None
        )
        covered = (set(self.members_read) | set(staff)) - staged
        if (
            trust_level_0 is not None
            and self.every_group_read
            and len(covered) == trust_level_0["user_count"]
        ):
            rows = [
                self.members_read.get(user_id) or records.member_row(staff[user_id])
                for user_id in sorted(covered)
            ]
            pages: Iterable[list[dict]] = (
                rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)
            )
        elif trust_level_0 is not None:
            pages = (
                [records.member_row(member) for member in page]
                for page in self.api.iter_group_members(trust_level_0["name"])
            )
        else:
            pages = (
                [records.user_row(user, now) for user in page]
                for page in self.api.iter_users(USERS_FLAG, **USERS_ORDER)
            )
        seen: set[int] = set()
        for batch in pages:
            seen.update(row["id"] for row in batch)
            with self.engine.begin() as conn:
                self.write_users(conn, batch)
            self.say(
                _(
                    "Membres : {users} comptes lus ({requests} requêtes).",
                    requests=self.requests_so_far,
                    users=len(seen),
                )
            )
        return seen

    def _read_staff(self) -> dict[int, dict]:
        """The accounts of `/admin/users/list/staff.json` (admins and moderators), by id."""
        return {user["id"]: user for page in self.api.iter_users("staff") for user in page}

    def _write_staff(self, conn: Connection, staff: Mapping[int, dict]) -> None:
        """Set the flags of the listed staff; clear them for mirrored accounts not listed."""
        stored = {
            row.id: {"id": row.id, "admin": row.admin, "moderator": row.moderator}
            for row in conn.execute(
                select(User.id, User.admin, User.moderator).where(
                    or_(User.admin.is_(True), User.moderator.is_(True), User.id.in_(list(staff)))
                )
            )
        }
        cleared = {"admin": False, "moderator": False}
        for user_id, before in stored.items():
            wanted = (
                records.staff_row(staff[user_id])
                if user_id in staff
                else {
                    "id": user_id,
                    **cleared,
                }
            )
            if wanted != before:
                conn.execute(update(User).where(User.id == user_id).values(**wanted))
                self.summary.users += 1

    def write_users(self, conn: Connection, rows: list[dict]) -> int:
        """Upsert accounts; count changed ones in the summary; return how many were new."""
        stored = {
            row.id: row._mapping
            for row in conn.execute(
                select(User).where(User.id.in_([row["id"] for row in rows]))
            ).all()
        }
        changed = [
            row
            for row in rows
            if row["id"] not in stored
            or any(stored[row["id"]][key] != value for key, value in row.items())
        ]
        upsert(conn, User.__table__, changed, ["id"])
        self.summary.users += len(changed)
        return sum(1 for row in rows if row["id"] not in stored)

    def update_affiliations(
        self, conn: Connection | None = None, only: Iterable[int] | None = None
    ) -> None:
        """Cooperative and role of every user, from the memberships now in the mirror.

        In its own transaction, or in `conn`'s when given; only for the users `only` if given.
        """
        users = select(User.id, User.cooperative, User.role)
        memberships = select(Membership.user_id, Group.name).join(
            Group, Group.id == Membership.group_id
        )
        if only is not None:
            ids = list(only)
            users = users.where(User.id.in_(ids))
            memberships = memberships.where(Membership.user_id.in_(ids))
        with nullcontext(conn) if conn is not None else self.engine.begin() as conn:
            top_slugs = set(
                conn.execute(select(Category.slug).where(Category.parent_id.is_(None))).scalars()
            )
            coop_groups = (
                top_slugs - set(self.options.network_category_slugs)
            ) | self.options.cooperative_slugs
            derived = records.affiliations(
                conn.execute(memberships).all(), coop_groups, self.options.role_groups
            )
            current = {row.id: (row.cooperative, row.role) for row in conn.execute(users)}
            moves: dict[tuple[str | None, str | None], list[int]] = {}
            for user_id, now_value in current.items():
                wanted = derived.get(user_id, (None, None))
                if wanted != now_value:
                    moves.setdefault(wanted, []).append(user_id)
            for (cooperative, role), user_ids in moves.items():
                for start in range(0, len(user_ids), CHUNK):
                    conn.execute(
                        update(User)
                        .where(User.id.in_(user_ids[start : start + CHUNK]))
                        .values(cooperative=cooperative, role=role)
                    )

    # ------------------------------------------------------------------ posts

    def sync_posts(self) -> None:
        """Walk `/posts.json` down to the cursor; resume an interrupted walk first."""
        pages = 0
        full_pending = self.full
        while True:
            walk = self._state(STATE_POSTS_WALK)
            resumed = walk is not None
            if resumed:
                walk_state = json.loads(walk)
            else:
                floor = 0 if full_pending else int(self._state(STATE_POSTS_CURSOR) or 0)
                walk_state = {"top": None, "before": None, "floor": floor}
                full_pending = False
            floor = walk_state["floor"]
            for fresh in self.api.iter_latest_posts(stop_at_id=floor, before=walk_state["before"]):
                pages += 1
                if walk_state["top"] is None:
                    walk_state["top"] = max(post["id"] for post in fresh)
                walk_state["before"] = min(post["id"] for post in fresh) - 1
                likers = self._fetch_likers_for(fresh)
                with self.engine.begin() as conn:
                    changed = self.write_posts(conn, fresh, likers, from_topic_view=False)
                    self._set_state(conn, STATE_POSTS_WALK, json.dumps(walk_state))
                self.say(
                    _(
                        "Messages : page {pages}, {posts} nouveaux ou modifiés ({requests} requêtes).",
                        requests=self.requests_so_far,
                        pages=pages,
                        posts=changed,
                    )
                )
            with self.engine.begin() as conn:
                cursor = max(walk_state["top"] or floor, floor)
                self._set_state(conn, STATE_POSTS_CURSOR, str(cursor))
                conn.execute(delete(SyncState).where(SyncState.key == STATE_POSTS_WALK))
            if not resumed and not full_pending:
                return

    def _fetch_likers_for(self, posts: list[dict]) -> dict[int, list[int]]:
        """Who liked each post whose like count differs from the mirror (setting `fetch_likers`)."""
        if not self.options.fetch_likers or not posts:
            return {}
        with self.engine.connect() as conn:
            stored = dict(
                conn.execute(
                    select(Post.id, Post.like_count).where(Post.id.in_([p["id"] for p in posts]))
                ).all()
            )
        likers: dict[int, list[int]] = {}
        for post in posts:
            count = records.action_count(post, [records.LIKE])
            if count != stored.get(post["id"], 0):
                likers[post["id"]] = [
                    user["id"]
                    for page in self.api.iter_post_action_users(post["id"])
                    for user in page
                ]
        return likers

    def write_posts(
        self,
        conn: Connection,
        posts: list[dict],
        likers: Mapping[int, list[int]],
        *,
        from_topic_view: bool,
        keep: Iterable[str] = (),
    ) -> int:
        """Upsert posts (and their polls, solutions, likers); count new/updated/deleted.

        `keep`: columns the posts do not really carry (a webhook post has no like counts): a
        post already mirrored keeps its stored values for them.
        """
        if not posts:
            return 0
        rows = [records.post_row(post) for post in posts]
        ids = [row["id"] for row in rows]
        columns = [column for column in rows[0] if column != "id"]
        stored = {
            row.id: row._mapping for row in conn.execute(select(Post).where(Post.id.in_(ids))).all()
        }
        for row in rows:
            if row["id"] in stored:
                row.update({column: stored[row["id"]][column] for column in keep})
        changed_rows = []
        for row in rows:
            before = stored.get(row["id"])
            if before is None:
                self.summary.posts_new += 1
                if row["deleted_at"] is not None:
                    self.summary.posts_deleted += 1
            elif any(before[column] != row[column] for column in columns):
                if before["deleted_at"] is None and row["deleted_at"] is not None:
                    self.summary.posts_deleted += 1
                else:
                    self.summary.posts_updated += 1
            else:
                continue
            self.summary.likes += abs(row["like_count"] - (before["like_count"] if before else 0))
            changed_rows.append(row)
        upsert(conn, Post.__table__, changed_rows, ["id"])
        self._ensure_topics(conn, posts)
        if not from_topic_view:
            self._apply_solutions_from_posts(conn, rows, stored)
        for post in posts:
            self._write_polls(conn, post)
        for post_id, user_ids in likers.items():
            conn.execute(delete(Like).where(Like.post_id == post_id))
            if user_ids:
                conn.execute(
                    Like.__table__.insert(),
                    [{"post_id": post_id, "user_id": uid} for uid in set(user_ids)],
                )
        return len(changed_rows)

    def _ensure_topics(self, conn: Connection, posts: list[dict]) -> None:
        """A stub topic (marked for checking) for posts whose topic the mirror lacks."""
        topic_ids = {post["topic_id"] for post in posts}
        known = set(conn.execute(select(Topic.id).where(Topic.id.in_(topic_ids))).scalars())
        stubs = {}
        for post in sorted(posts, key=lambda post: post["post_number"]):
            if post["topic_id"] not in known and post["topic_id"] not in stubs:
                stubs[post["topic_id"]] = records.stub_topic_row(post)
        if stubs:
            upsert(conn, Topic.__table__, list(stubs.values()), ["id"])

    def _apply_solutions_from_posts(
        self, conn: Connection, rows: list[dict], stored: Mapping[int, Any]
    ) -> None:
        """Accepted-answer flags of `/posts.json` items: set or clear their topic's solution."""
        for row in rows:
            before = stored.get(row["id"])
            if row["accepted_answer"]:
                self.set_solution(conn, row["topic_id"], row["id"], row["user_id"])
            elif before is not None and before["accepted_answer"]:
                self.set_solution(conn, row["topic_id"], None, None)

    def set_solution(
        self, conn: Connection, topic_id: int, post_id: int | None, user_id: int | None
    ) -> None:
        current = conn.execute(
            select(Solution.post_id).where(Solution.topic_id == topic_id)
        ).scalar_one_or_none()
        if current == post_id:
            return
        self.solved_topics.add(topic_id)
        conn.execute(update(Topic).where(Topic.id == topic_id).values(accepted_post_id=post_id))
        if post_id is None:
            conn.execute(delete(Solution).where(Solution.topic_id == topic_id))
            return
        upsert(
            conn,
            Solution.__table__,
            [{"topic_id": topic_id, "post_id": post_id, "user_id": user_id}],
            ["topic_id"],
        )

    def _write_polls(self, conn: Connection, post: Mapping[str, Any]) -> None:
        for row, options in records.poll_rows(post):
            upsert(conn, Poll.__table__, [row], ["post_id", "name"])
            poll_id = conn.execute(
                select(Poll.id).where(Poll.post_id == row["post_id"], Poll.name == row["name"])
            ).scalar_one()
            conn.execute(delete(PollOption).where(PollOption.poll_id == poll_id))
            if options:
                conn.execute(
                    PollOption.__table__.insert(),
                    [{**option, "poll_id": poll_id} for option in options],
                )

    # ------------------------------------------------------------------ listing

    def sync_listing(self) -> None:
        """Walk `/latest.json`, mark changed topics and topics that left the listing."""
        high = self._state(STATE_LISTING_HIGH)
        stop_at: datetime | None = None
        if not self.full and high is not None:
            window = self.clock() - timedelta(days=self.options.reconcile_days)
            stop_at = min(window, records.parse_time(high) - LISTING_OVERLAP)
        seen: set[int] = set()
        lowest: datetime | None = None
        highest: datetime | None = None
        reached_end = True
        pages = 0
        for page in self.api.iter_latest_topics(per_page=LISTING_PAGE):
            pages += 1
            regular = [
                topic for topic in page if (topic.get("archetype") or "regular") == "regular"
            ]
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
            marked = self._write_listing_page(rows, tag_lists)
            self.summary.topics += marked
            self.say(
                _(
                    "Sujets : page {pages}, {topics} à vérifier ({requests} requêtes).",
                    requests=self.requests_so_far,
                    pages=pages,
                    topics=marked,
                )
            )
            if stop:
                reached_end = False
                break
        with self.engine.begin() as conn:
            self._mark_vanished(conn, seen, None if reached_end else lowest)
            if highest is not None:
                self._set_state(conn, STATE_LISTING_HIGH, highest.isoformat())

    def _write_listing_page(self, rows: list[dict], tag_lists: list[list[str] | None]) -> int:
        with self.engine.begin() as conn:
            ids = [row["id"] for row in rows]
            stored = {
                row.id: row._mapping
                for row in conn.execute(select(Topic).where(Topic.id.in_(ids))).all()
            }
            changed = []
            for row in rows:
                before = stored.get(row["id"])
                if records.listing_changed(before, row) or (
                    before is not None and before["deleted_at"] is not None
                ):
                    changed.append({**row, "deleted_at": None, "needs_check": True})
                elif any(before[key] != value for key, value in row.items()):
                    changed.append({**row, "deleted_at": None})
            upsert(conn, Topic.__table__, changed, ["id"])
            self._write_tags(
                conn, {row["id"]: tags for row, tags in zip(rows, tag_lists, strict=True)}
            )
            return sum(1 for row in changed if row.get("needs_check"))

    def _write_tags(self, conn: Connection, tags_by_topic: Mapping[int, list[str] | None]) -> None:
        """Replace the tags of the given topics (None: the object did not say, leave them)."""
        known = {topic_id: tags for topic_id, tags in tags_by_topic.items() if tags is not None}
        if not known:
            return
        conn.execute(delete(TopicTag).where(TopicTag.topic_id.in_(list(known))))
        rows = [{"topic_id": tid, "tag": tag[:100]} for tid, tags in known.items() for tag in tags]
        if rows:
            conn.execute(TopicTag.__table__.insert(), rows)

    def _mark_vanished(self, conn: Connection, seen: set[int], lowest: datetime | None) -> None:
        """Mirrored live topics the walked listing should have shown but did not: re-read them.

        `posts_count = -1` makes the check fail for sure, so the re-read happens even if this
        sync is interrupted and the next one walks a shorter range.
        """
        query = select(Topic.id).where(Topic.deleted_at.is_(None), Topic.archetype == "regular")
        if lowest is not None:  # pinned topics head every page 0, whatever their bump date
            query = query.where(or_(Topic.bumped_at > lowest, Topic.pinned.is_(True)))
        missing = [topic_id for topic_id in conn.execute(query).scalars() if topic_id not in seen]
        if missing:
            conn.execute(
                update(Topic).where(Topic.id.in_(missing)).values(needs_check=True, posts_count=-1)
            )

    # ------------------------------------------------------------------ reconciliation

    def reconcile(self) -> None:
        """Check each marked topic against the mirror; re-read only those that do not match."""
        with self.engine.connect() as conn:
            marked = list(
                conn.execute(
                    select(Topic).where(Topic.needs_check.is_(True)).order_by(Topic.id)
                ).all()
            )
        to_read = []
        consistent = []
        with self.engine.connect() as conn:
            for start in range(0, len(marked), CHUNK):
                chunk = marked[start : start + CHUNK]
                posts: dict[int, list] = {topic.id: [] for topic in chunk}
                for post in conn.execute(
                    select(Post.topic_id, Post.post_number, Post.deleted_at, Post.like_count).where(
                        Post.topic_id.in_(list(posts))
                    )
                ):
                    posts[post.topic_id].append(post[1:])
                for topic in chunk:
                    if records.matches_listing(topic._mapping, posts[topic.id]):
                        consistent.append(topic.id)
                    else:
                        to_read.append(topic.id)
        if consistent:
            with self.engine.begin() as conn:
                for start in range(0, len(consistent), CHUNK):
                    chunk = consistent[start : start + CHUNK]
                    conn.execute(
                        update(Topic)
                        .where(Topic.id.in_(chunk))
                        .values(needs_check=False, checked_at=self.clock())
                    )
        for done, topic_id in enumerate(to_read, start=1):
            self.reread_topic(topic_id)
            if done % 10 == 0 or done == len(to_read):
                self.say(
                    _(
                        "Relecture des sujets : {done}/{total} ({requests} requêtes).",
                        requests=self.requests_so_far,
                        done=done,
                        total=len(to_read),
                    )
                )
        self.summary.topics_reread = len(to_read)

    def reread_topic(self, topic_id: int, write_lock: AbstractContextManager | None = None) -> None:
        """Read a topic with all its posts and write it as the forum shows it to an admin.

        `write_lock`, if given, is held while writing (not while reading the forum).
        """
        guard = write_lock or nullcontext()
        try:
            view = self.api.topic_with_posts(topic_id)
        except DiscourseNotFound:
            with guard, self.engine.begin() as conn:
                conn.execute(
                    update(Topic)
                    .where(Topic.id == topic_id)
                    .values(deleted_at=self.clock(), needs_check=False, checked_at=self.clock())
                )
            return
        posts = view["post_stream"]["posts"]
        likers = self._fetch_likers_for(posts)
        row = records.topic_view_row(view)
        with guard, self.engine.begin() as conn:
            self.write_posts(conn, posts, likers, from_topic_view=True)
            stream_ids = [post["id"] for post in posts]
            conn.execute(delete(Post).where(Post.topic_id == topic_id, Post.id.not_in(stream_ids)))
            accepted = row.pop("accepted_post_id")
            author = next((p.get("user_id") for p in posts if p["id"] == accepted), None)
            self.set_solution(conn, topic_id, accepted, author)
            row.update(accepted_post_id=accepted, needs_check=False, checked_at=self.clock())
            if row["user_id"] is None:
                row.pop("user_id")
            upsert(conn, Topic.__table__, [row], ["id"])
            self._write_tags(conn, {topic_id: records.topic_tags(view)})

    def fill_topic_authors(self) -> None:
        """Topics known only from the listing take their author from their first post."""
        first_author = (
            select(Post.user_id)
            .where(Post.topic_id == Topic.id, Post.post_number == 1)
            .scalar_subquery()
        )
        with self.engine.begin() as conn:
            conn.execute(update(Topic).where(Topic.user_id.is_(None)).values(user_id=first_author))

    # ------------------------------------------------------------------ state

    def _state(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(SyncState.value).where(SyncState.key == key)
            ).scalar_one_or_none()

    def _set_state(self, conn: Connection, key: str, value: str) -> None:
        upsert(conn, SyncState.__table__, [{"key": key, "value": value}], ["key"])


def upsert(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]], keys: list[str]):
    """INSERT … ON CONFLICT (keys) DO UPDATE for SQLite and PostgreSQL alike.

    Rows may carry different column sets (a listing row may lack the author): each set is
    written with its own statement, and a column a row does not carry is left as it is.
    """
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for columns, group in groups.items():
        statement = insert(table)
        updates = {name: statement.excluded[name] for name in columns if name not in keys}
        if updates:
            statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        conn.execute(statement, group)
