"""The store's action log (DESIGN §14): the directors' actions and their history of changes,
and the one read that tells whether a text names a member of the forum."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from sync.mirror.schema import Action, ActionChange, User

ACTION_COLUMNS = (
    "id",
    "cooperative",
    "month",
    "axis",
    "indicator",
    "kind",
    "title",
    "started",
    "status",
    "created_at",
    "updated_at",
)


def add_action(
    conn: Connection,
    *,
    cooperative: str,
    month: str,
    axis: str,
    indicator: str | None,
    kind: str,
    title: str,
    started: date,
    status: str,
    at: datetime,
    author_id: int,
    author: str,
) -> int:
    """Insert an action and the first step of its history (by `author`, at `at`, naive UTC);
    return its id."""
    action_id = conn.execute(
        insert(Action)
        .values(
            cooperative=cooperative,
            month=month,
            axis=axis,
            indicator=indicator,
            kind=kind,
            title=title,
            started=started,
            status=status,
            created_at=at,
            updated_at=at,
        )
        .returning(Action.id)
    ).scalar_one()
    _add_change(conn, action_id, at, author_id, author, status, title)
    return int(action_id)


def change_action(
    conn: Connection,
    action_id: int,
    *,
    status: str,
    title: str,
    at: datetime,
    author_id: int,
    author: str,
) -> bool:
    """Set an action's status and title and add the step to its history; False if there is no
    such action (nothing written)."""
    changed = conn.execute(
        update(Action)
        .where(Action.id == action_id)
        .values(status=status, title=title, updated_at=at)
    ).rowcount
    if not changed:
        return False
    _add_change(conn, action_id, at, author_id, author, status, title)
    return True


def _add_change(
    conn: Connection,
    action_id: int,
    at: datetime,
    author_id: int,
    author: str,
    status: str,
    title: str,
) -> None:
    conn.execute(
        insert(ActionChange).values(
            action_id=action_id,
            changed_at=at,
            author_id=author_id,
            author=author,
            status=status,
            title=title,
        )
    )


def action_row(conn: Connection, action_id: int) -> dict[str, Any] | None:
    """One action as a dict of `ACTION_COLUMNS`, or None."""
    row = conn.execute(select(Action).where(Action.id == action_id)).mappings().first()
    return None if row is None else {name: row[name] for name in ACTION_COLUMNS}


def action_rows(conn: Connection, cooperative: str | None = None) -> list[dict[str, Any]]:
    """Every action (of one cooperative when given), by start date, then id."""
    query = select(*(getattr(Action, name) for name in ACTION_COLUMNS))
    if cooperative is not None:
        query = query.where(Action.cooperative == cooperative)
    rows = conn.execute(query.order_by(Action.started, Action.id)).mappings()
    return [dict(row) for row in rows]


def action_changes(conn: Connection, action_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The history steps of these actions, oldest first (with the author: animators only)."""
    ids = sorted(set(action_ids))
    if not ids:
        return []
    rows = conn.execute(
        select(
            ActionChange.action_id,
            ActionChange.changed_at,
            ActionChange.author_id,
            ActionChange.author,
            ActionChange.status,
            ActionChange.title,
        )
        .where(ActionChange.action_id.in_(ids))
        .order_by(ActionChange.action_id, ActionChange.changed_at, ActionChange.id)
    ).mappings()
    return [dict(row) for row in rows]


def usernames_among(conn: Connection, words: Iterable[str]) -> list[str]:
    """The forum usernames (compared case-insensitively) that are among `words` (lower case)."""
    wanted = sorted({word.lower() for word in words})
    if not wanted:
        return []
    return list(
        conn.execute(
            select(User.username).where(func.lower(User.username).in_(wanted)).order_by(User.id)
        ).scalars()
    )


def member_full_names(conn: Connection, fragments: Iterable[str] | None = None) -> list[str]:
    """The members' full names (Discourse's `name`) that are not blank; with `fragments`
    (lower-case words), only those that may contain one of them, case aside, for the caller to
    compare exactly in Python. SQLite's LIKE ignores the case of ASCII letters only, so a word
    with other letters is also looked for capitalised and in capitals; PostgreSQL's ILIKE
    ignores case throughout."""
    query = select(User.name).where(User.name.is_not(None))
    if fragments is not None:
        wanted = sorted(set(fragments))
        if not wanted:
            return []
        if conn.dialect.name == "postgresql":
            conditions = [User.name.icontains(word, autoescape=True) for word in wanted]
        else:
            variants = {
                variant
                for word in wanted
                for variant in (
                    (word,) if word.isascii() else (word, word.capitalize(), word.upper())
                )
            }
            conditions = [User.name.contains(word, autoescape=True) for word in sorted(variants)]
        query = query.where(or_(*conditions))
    return [name for name in conn.execute(query).scalars() if name.strip()]
