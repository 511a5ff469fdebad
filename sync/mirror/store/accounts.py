"""The store's accounts: users, groups, memberships and the affiliations derived from them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import Connection, delete, func, or_, select, update

from sync.mirror import records
from sync.mirror.schema import Category, Group, Membership, User
from sync.mirror.store.base import CHUNK, Tally, upsert

# ---------------------------------------------------------------------- groups


def group_counts(conn: Connection) -> dict[int, int]:
    """Each mirrored group's stored member count (the group's cursor), by id."""
    return dict(conn.execute(select(Group.id, Group.user_count)).all())


def remove_groups(conn: Connection, group_ids: Collection[int]) -> None:
    """Delete groups the forum no longer lists, with their memberships."""
    if group_ids:
        conn.execute(delete(Membership).where(Membership.group_id.in_(group_ids)))
        conn.execute(delete(Group).where(Group.id.in_(group_ids)))


def write_groups(conn: Connection, rows: list[dict]) -> None:
    """Upsert group rows (a row's `user_count` is its cursor: write it with its members)."""
    upsert(conn, Group.__table__, rows, ["id"])


def replace_members(conn: Connection, group_id: int, user_ids: Collection[int]) -> None:
    """The members of a group are exactly `user_ids`."""
    conn.execute(delete(Membership).where(Membership.group_id == group_id))
    if user_ids:
        conn.execute(
            Membership.__table__.insert(),
            [{"group_id": group_id, "user_id": user_id} for user_id in user_ids],
        )


def set_user_groups(conn: Connection, user_id: int, groups: Collection[int]) -> bool:
    """Make the user's memberships of mirrored non-automatic groups those of `groups` (as the
    forum shows them); a membership of a group the mirror lacks is left out. True if any moved."""
    mirrored = set(conn.execute(select(Group.id).where(Group.automatic.is_(False))).scalars())
    current = set(
        conn.execute(select(Membership.group_id).where(Membership.user_id == user_id)).scalars()
    )
    gone = current - set(groups)
    added = (set(groups) & mirrored) - current
    if gone:
        conn.execute(
            delete(Membership).where(Membership.user_id == user_id, Membership.group_id.in_(gone))
        )
    if added:
        conn.execute(
            Membership.__table__.insert(),
            [{"group_id": group_id, "user_id": user_id} for group_id in added],
        )
    return bool(gone or added)


def group_id_by_name(conn: Connection, name: str) -> int | None:
    """The Discourse id of group `name` (case-insensitive), as the mirror knows it."""
    return conn.execute(select(Group.id).where(func.lower(Group.name) == func.lower(name))).scalar()


def record_membership(conn: Connection, group_id: int, user_id: int, member: bool) -> None:
    """Mirror a group change Campus itself just made through the API (the sync confirms it)."""
    conn.execute(
        delete(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )
    if member:
        conn.execute(Membership.__table__.insert().values(group_id=group_id, user_id=user_id))


def membership_count(conn: Connection) -> int:
    """How many memberships the mirror holds (moves with any group change)."""
    return int(conn.execute(select(func.count()).select_from(Membership)).scalar() or 0)


def group_names_of(conn: Connection, user_id: int) -> list[str]:
    """The names of the groups `user_id` belongs to, sorted."""
    return list(
        conn.execute(
            select(Group.name)
            .join(Membership, Group.id == Membership.group_id)
            .where(Membership.user_id == user_id)
            .order_by(Group.name)
        ).scalars()
    )


# ---------------------------------------------------------------------- users


def write_users(conn: Connection, rows: list[dict], tally: Tally) -> int:
    """Upsert accounts; count changed ones in `tally`; return how many were new."""
    stored = {
        row.id: row._mapping
        for row in conn.execute(select(User).where(User.id.in_([row["id"] for row in rows]))).all()
    }
    changed = [
        row
        for row in rows
        if row["id"] not in stored
        or any(stored[row["id"]][key] != value for key, value in row.items())
    ]
    upsert(conn, User.__table__, changed, ["id"])
    tally.users += len(changed)
    return sum(1 for row in rows if row["id"] not in stored)


def mark_staged(conn: Connection, staged: Collection[int]) -> None:
    """Exactly the accounts `staged` are staged."""
    conn.execute(
        update(User).where(User.staged.is_(True), User.id.not_in(staged)).values(staged=False)
    )
    if staged:
        conn.execute(update(User).where(User.id.in_(staged)).values(staged=True))


def mark_suspended(conn: Connection, suspended: Collection[int]) -> None:
    """Exactly the accounts `suspended` are suspended."""
    conn.execute(
        update(User)
        .where(User.suspended.is_(True), User.id.not_in(suspended))
        .values(suspended=False)
    )
    if suspended:
        conn.execute(update(User).where(User.id.in_(suspended)).values(suspended=True))


def mark_missing_deleted(conn: Connection, seen: Collection[int]) -> None:
    """Member accounts (id > 0, not staged) not in `seen` are no longer on the forum."""
    stored = set(conn.execute(select(User.id).where(User.id > 0, User.staged.is_(False))).scalars())
    gone = sorted(stored - set(seen))
    for start in range(0, len(gone), CHUNK):
        conn.execute(
            update(User).where(User.id.in_(gone[start : start + CHUNK])).values(deleted=True)
        )


def set_user_flags(conn: Connection, user_id: int, **flags: bool) -> None:
    """Set `deleted` or `suspended` of one account as the forum reported it."""
    conn.execute(update(User).where(User.id == user_id).values(**flags))


def write_staff(conn: Connection, staff: Mapping[int, dict], tally: Tally) -> None:
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
            tally.users += 1


def update_affiliations(
    conn: Connection,
    network_category_slugs: Iterable[str],
    cooperative_slugs: Iterable[str],
    role_groups: Mapping[str, str],
    only: Iterable[int] | None = None,
) -> None:
    """Cooperative and role of every user (or of the users `only`), from the memberships now in
    the mirror: a cooperative is a group named like a top-level category that is not a network
    category, or like a slug of cooperatives.csv; a role comes from the role groups."""
    users = select(User.id, User.cooperative, User.role)
    memberships = select(Membership.user_id, Group.name).join(
        Group, Group.id == Membership.group_id
    )
    if only is not None:
        ids = list(only)
        users = users.where(User.id.in_(ids))
        memberships = memberships.where(Membership.user_id.in_(ids))
    top_slugs = set(
        conn.execute(select(Category.slug).where(Category.parent_id.is_(None))).scalars()
    )
    coop_groups = (top_slugs - set(network_category_slugs)) | set(cooperative_slugs)
    derived = records.affiliations(conn.execute(memberships).all(), coop_groups, role_groups)
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
