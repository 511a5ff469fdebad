"""`campus backup` and `campus migrate`: the operator's two commands on the mirror itself.

`migrate` is the only way the schema of an existing mirror changes (DESIGN §9): it writes a
backup first, says what it does step by step, and runs once even when several processes start
together (they queue on the migration lock; the later ones find nothing left to do). Every other
command refuses a schema it would have to change (`sync/mirror/upgrade.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.context import Campus
from core.i18n import _
from sync.mirror import backup as mirror_backup
from sync.mirror import db
from sync.mirror import upgrade as schema_upgrade
from sync.mirror.lock import sqlite_path


def default_backup_path(campus: Campus, revision: str | None) -> Path:
    """`<database folder>/campus-<revision>-<UTC time>.backup`: beside a SQLite file, beside
    campus.toml for PostgreSQL (whose database has no folder of its own)."""
    path = sqlite_path(campus.database_url)
    folder = path.parent if path is not None else campus.config.base_dir
    stamp = campus.now().strftime("%Y%m%dT%H%M%SZ")
    return folder / mirror_backup.backup_name(revision or "vide", stamp)


def backup(campus: Campus, out: Path | None = None) -> Path:
    """Write a consistent copy of the mirror to `out` (default: `default_backup_path`), mode
    0600, never over an existing file; return its path. Works on any schema, old or new."""
    return mirror_backup.write_backup(
        campus.database_url, out or default_backup_path(campus, _stored_revision(campus))
    )


def _stored_revision(campus: Campus) -> str | None:
    """The database's schema revision, read without creating anything (None: no database yet,
    which `write_backup` then refuses)."""
    path = sqlite_path(campus.database_url)
    if path is not None and not path.is_file():
        return None
    engine = db.open_engine(campus.database_url)
    try:
        with db.reader(engine).connect() as connection:
            stored = schema_upgrade.stored_revisions(connection)
    finally:
        engine.dispose()
    return "+".join(stored) if stored else None


def migrate(campus: Campus, echo: Callable[[str], None]) -> schema_upgrade.UpgradeOutcome:
    """Bring the mirror to this version's schema: a backup first (when there is something to
    change), then the repairs and upgrades, each told to `echo`."""

    def save(status: schema_upgrade.SchemaStatus) -> None:
        path = mirror_backup.write_backup(
            campus.database_url, default_backup_path(campus, status.stored)
        )
        echo(_("Sauvegarde écrite avant la mise à jour : {path}", path=path))

    engine = db.open_engine(campus.database_url)
    try:
        return schema_upgrade.upgrade_mirror(engine, before_change=save, report=echo)
    finally:
        engine.dispose()
