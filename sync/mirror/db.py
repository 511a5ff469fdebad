"""Opening the mirror database: the engine (writers wait their turn), its schema checked
(sync/mirror/upgrade.py)."""

from __future__ import annotations

import contextlib
import sqlite3

from sqlalchemy import Engine, create_engine, event

from sync.mirror.upgrade import MIGRATIONS, UpgradeOutcome, open_mirror, upgrade_mirror

__all__ = ["MIGRATIONS", "READ_ONLY", "connect", "migrate", "open_engine", "reader"]


#: how long a SQLite writer waits for the write lock before giving up ("database is locked")
BUSY_TIMEOUT_SECONDS = 30
#: the execution option that marks read-only work (see `reader`)
READ_ONLY = "campus_read_only"


def open_engine(url: str) -> Engine:
    """Create an engine for a SQLite file or a PostgreSQL server, ready for concurrent writers.

    On SQLite (WAL), a transaction opened with a plain deferred `BEGIN` that reads and then
    writes fails at once with "database is locked" when another connection committed in
    between, whatever the busy timeout: its snapshot is stale and SQLite cannot upgrade it.
    So every transaction here opens with `BEGIN IMMEDIATE`, which takes the write lock first
    and waits for it (at most `BUSY_TIMEOUT_SECONDS`) behind the other writers; read-only work
    goes through `reader(engine)`, whose transactions open deferred (readers never wait for
    writers in WAL mode) and refuse any write (`PRAGMA query_only`), so a read never turns
    into a write. PostgreSQL's row locks already make writers wait their turn."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # let SQLAlchemy, not the sqlite3 module, open transactions (SQLAlchemy's recipe
            # for pysqlite): the module would run DDL outside any transaction, so a migration
            # killed half-way left tables behind, and it cannot begin IMMEDIATE
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "checkin")
        def _sqlite_writable(dbapi_connection, _record) -> None:
            # code that borrows the raw connection (a WAL checkpoint, a backup) finds it writable
            if dbapi_connection is not None:
                with contextlib.suppress(sqlite3.Error):  # a broken connection is dropped anyway
                    dbapi_connection.execute("PRAGMA query_only = OFF")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            if connection.get_execution_options().get(READ_ONLY):
                connection.exec_driver_sql("PRAGMA query_only = ON")
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("PRAGMA query_only = OFF")
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def reader(engine: Engine) -> Engine:
    """`engine` for read-only work (same pool): `reader(engine).connect()`, `Session(reader(engine))`.

    On SQLite its transactions begin deferred, so reading never waits behind a writer, and
    refuse to write (a write there is a bug: it would have to upgrade a stale snapshot). Work
    that writes, even after reading, uses `engine.begin()`: it begins IMMEDIATE."""
    return engine.execution_options(**{READ_ONLY: True})


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
