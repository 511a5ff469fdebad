"""Mirrors as earlier versions of Campus left them, for the upgrade tests.

`build(engine, applied)` runs exactly the revisions `applied`, in that order, and leaves the
database stamped with the last one, as Alembic would have if the chain had been that line.

`MISCHAINED_0007` are the lines main really had while merges re-parented revision 0007 without
changing its id (read from `git log -- sync/migrations/versions/0007_relay_and_digest.py` and the
merges' trees): a mirror created by main at any of those commits is stamped 0007 with only those
revisions' tables.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, text

from sync.mirror.upgrade import alembic_config, revisions

MISCHAINED_0007 = {
    # c205ee7 (relay merged before the others): 0007's down_revision was 0002
    "after-0002": ["0001", "0002", "0007"],
    # 1d1f21c (web merged: 0004 chained after 0002, 0007 after 0004; no 0003 yet)
    "after-0004-without-0003": ["0001", "0002", "0004", "0007"],
    # a9feb1b (harden-input merged: 0003 → 0004 → 0007)
    "after-0004": ["0001", "0002", "0003", "0004", "0007"],
    # 66e0349 (webhooks merged: 0005 → 0007), until 5ec5f17 chained the barometer's 0006
    "after-0005": ["0001", "0002", "0003", "0004", "0005", "0007"],
}


def build(engine: Engine, applied: list[str]) -> None:
    """Apply the revisions `applied` in that order (each alone), stamped with the last."""
    chain = list(revisions())
    with engine.begin() as connection:
        config = alembic_config(connection)
        for revision in applied:
            before = chain.index(revision)
            if before > 0:  # the database is stamped (the lines all start with 0001)
                connection.execute(
                    text("UPDATE alembic_version SET version_num = :r"), {"r": chain[before - 1]}
                )
            command.upgrade(config, revision)


def build_at(engine: Engine, revision: str) -> None:
    """A mirror as the regular chain leaves it at `revision`."""
    chain = list(revisions())
    build(engine, chain[: chain.index(revision) + 1])


def seed(engine: Engine) -> None:
    """A few rows every revision has tables for (0001), which an upgrade must keep: a category,
    a member, their group and membership."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO categories (id, name, slug, read_restricted, accepted_answers)"
                " VALUES (7, 'Entraide', 'entraide', false, true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (id, username, trust_level, admin, moderator, active, staged,"
                " suspended, deleted, cooperative) VALUES"
                " (42, 'camille', 1, false, false, true, false, false, false, 'coop-a')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO groups (id, name, automatic, user_count)"
                " VALUES (3, 'coop-a', false, 1)"
            )
        )
        connection.execute(text("INSERT INTO group_memberships VALUES (3, 42)"))


def seeded(engine: Engine) -> tuple:
    """What `seed` wrote, as read back: the category's name, the user's name if they are still
    a member of their group (a re-created parent table must not cascade to its children)."""
    with engine.connect() as connection:
        category = connection.execute(text("SELECT name FROM categories WHERE id = 7")).scalar()
        user = connection.execute(
            text(
                "SELECT username FROM users JOIN group_memberships ON user_id = users.id"
                " JOIN groups ON groups.id = group_id WHERE users.id = 42 AND groups.name = 'coop-a'"
            )
        ).scalar()
    return category, user
