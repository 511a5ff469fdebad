"""Step 3, users: every account on the first sync (and with `--full`), from the group member
listings where they cover `trust_level_0`; later only the new accounts, when a group count
moved; the staff flags, the staged and the suspended accounts; then the affiliations
(cooperative and role) derived from the memberships. `sync.mirror.pull` explains the costs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.i18n import _
from sync.mirror import db, records, store
from sync.mirror.steps.run import Run

# every account, newest first: `active` is the list the API documentation names (Discourse
# applies no filter for it) and `order=created` puts the newest accounts first
USERS_FLAG = "active"
USERS_ORDER = {"order": "created"}
TRUST_LEVEL_0 = 10  # Group::AUTO_GROUPS[:trust_level_0]: every account that is not staged
STAFF_GROUPS = frozenset({1, 2, 3})  # Group::AUTO_GROUPS admins, moderators, staff
STATE_USERS_COMPLETE = "users.complete"


def sync_users(run: Run, moved_groups: set[int]) -> None:
    """Accounts: all of them the first time and with --full, else only the new ones."""
    with db.reader(run.engine).connect() as conn:
        complete = store.get_state(conn, STATE_USERS_COMPLETE) == "1"
    if run.full or not complete:
        staff = _read_staff(run)
        staged = {user["id"] for page in run.api.iter_users("staged") for user in page}
        seen = _write_every_account(run, staff, staged)
        with run.engine.begin() as conn:
            store.mark_staged(conn, staged)
            store.mark_missing_deleted(conn, seen)
            store.write_staff(conn, staff, run.tally)
            store.set_state(conn, STATE_USERS_COMPLETE, "1")
    elif moved_groups:
        now = run.clock()
        read = 0
        for page in run.api.iter_users(USERS_FLAG, **USERS_ORDER):
            rows = [records.user_row(user, now) for user in page]
            read += len(rows)
            with run.engine.begin() as conn:
                new = store.write_users(conn, rows, run.tally)
            if not new:
                break
        run.say(
            _(
                "Membres : {users} comptes lus ({requests} requêtes).",
                requests=run.requests_so_far,
                users=read,
            )
        )
        if moved_groups & STAFF_GROUPS:
            staff = _read_staff(run)
            with run.engine.begin() as conn:
                store.write_staff(conn, staff, run.tally)
    suspended: set[int] = set()
    for page in run.api.iter_users("suspended"):
        suspended.update(user["id"] for user in page)
    with run.engine.begin() as conn:
        store.mark_suspended(conn, suspended)


def update_affiliations(run: Run) -> None:
    """Cooperative and role of every user, from the memberships now in the mirror."""
    with run.engine.begin() as conn:
        store.update_affiliations(
            conn,
            run.options.network_category_slugs,
            run.options.cooperative_slugs,
            run.options.role_groups,
        )


def _write_every_account(run: Run, staff: Mapping[int, dict], staged: set[int]) -> set[int]:
    """Write every account that is not staged; return their ids.

    `trust_level_0` holds exactly these accounts. When the members of every other group,
    read by this sync, and the staff, minus the staged accounts, are as many as
    `trust_level_0` counts, they are all of them and nothing more is read. Otherwise the
    members of `trust_level_0` are read (1,000 a request), or `/admin/users/list/all.json`
    (100 a request) on a forum that does not list that group.
    """
    now = run.clock()
    trust_level_0 = next(
        (group for group in run.listed_groups if group["id"] == TRUST_LEVEL_0), None
    )
    covered = (set(run.members_read) | set(staff)) - staged
    if (
        trust_level_0 is not None
        and run.every_group_read
        and len(covered) == trust_level_0["user_count"]
    ):
        rows = [
            run.members_read.get(user_id) or records.member_row(staff[user_id])
            for user_id in sorted(covered)
        ]
        pages: Iterable[list[dict]] = (
            rows[start : start + store.CHUNK] for start in range(0, len(rows), store.CHUNK)
        )
    elif trust_level_0 is not None:
        pages = (
            [records.member_row(member) for member in page]
            for page in run.api.iter_group_members(trust_level_0["name"])
        )
    else:
        pages = (
            [records.user_row(user, now) for user in page]
            for page in run.api.iter_users(USERS_FLAG, **USERS_ORDER)
        )
    seen: set[int] = set()
    for batch in pages:
        seen.update(row["id"] for row in batch)
        with run.engine.begin() as conn:
            store.write_users(conn, batch, run.tally)
        run.say(
            _(
                "Membres : {users} comptes lus ({requests} requêtes).",
                requests=run.requests_so_far,
                users=len(seen),
            )
        )
    return seen


def _read_staff(run: Run) -> dict[int, dict]:
    """The accounts of `/admin/users/list/staff.json` (admins and moderators), by id."""
    return {user["id"]: user for page in run.api.iter_users("staff") for user in page}
