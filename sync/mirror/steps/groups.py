"""Step 1, groups: `/groups/search.json` lists every group with its `user_count` in one
request; the members of a non-automatic group are re-read only when its count changed (or with
`--full`). The stored count is the group's cursor, written with its members."""

from __future__ import annotations

from core.i18n import _
from sync.mirror import db, records, store
from sync.mirror.steps.run import Run


def sync_groups(run: Run) -> set[int]:
    """Groups and, for groups whose count moved, their members; the ids of those groups.

    A group that appeared or disappeared counts as moved.
    """
    listed = [records.group_row(group) for group in run.api.groups()]
    run.listed_groups = listed
    with db.reader(run.engine).connect() as conn:
        stored = store.group_counts(conn)
    listed_ids = {row["id"] for row in listed}
    moved = (set(stored) ^ listed_ids) | {
        row["id"] for row in listed if stored.get(row["id"]) != row["user_count"]
    }
    due = [
        row
        for row in listed
        if not row["automatic"] and (run.full or stored.get(row["id"]) != row["user_count"])
    ]
    due_ids = {row["id"] for row in due}
    run.every_group_read = all(
        row["id"] in due_ids for row in listed if not row["automatic"] and row["user_count"]
    )
    with run.engine.begin() as conn:
        store.remove_groups(conn, set(stored) - listed_ids)
        # a due group's new count is its cursor: written below together with its members
        store.write_groups(conn, [row for row in listed if row["id"] not in due_ids])
    for row in due:
        members: set[int] = set()
        if row["user_count"]:
            for page in run.api.iter_group_members(row["name"]):
                for member in page:
                    members.add(member["id"])
                    run.members_read[member["id"]] = records.member_row(member)
        with run.engine.begin() as conn:
            store.write_groups(conn, [row])
            store.replace_members(conn, row["id"], members)
    run.groups_refreshed = len(due)
    run.say(
        _(
            "Groupes : {groups} groupes, {refreshed} relus ({requests} requêtes).",
            requests=run.requests_so_far,
            groups=len(listed),
            refreshed=len(due),
        )
    )
    return moved
