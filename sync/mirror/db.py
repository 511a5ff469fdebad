"""Opening the mirror database: the engine, its schema checked (sync/mirror/upgrade.py)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from sync.mirror.upgrade import MIGRATIONS, UpgradeOutcome, open_mirror, upgrade_mirror

__all__ = ["MIGRATIONS", "connect", "migrate", "open_engine"]


def open_engine(url: str) -> Engine:
    """Create an engine for a SQLite file or a PostgreSQL server, ready for concurrent readers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # let SQLAlchemy, not the sqlite3 module, open transactions: the module would run
            # DDL outside any transaction, so a migration killed half-way left tables behind
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> UpgradeOutcome:
    """Bring the mirror to the latest revision (repairing a mirror a past re-chaining left
    incomplete), without a backup: `campus migrate` (app/maintenance.py) takes one first."""
    return upgrade_mirror(engine)


def connect(url: str) -> Engine:
    """Open the mirror at `url` for a command: the one way callers get a usable engine. A new
    database is created at the latest revision; an older, incomplete or newer schema is refused
    with what to do (`campus migrate`), never changed here."""
    engine = open_engine(url)
    try:
        open_mirror(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
