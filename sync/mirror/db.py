"""Opening the mirror database and bringing its schema up to date (Alembic)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, text

from core.errors import InputError
from core.i18n import _

MIGRATIONS = Path(__file__).parent / "migrations"


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


def migrate(engine: Engine) -> None:
    """Apply every pending Alembic migration (creates the schema on a new database).

    A database whose schema version this Campus does not know (written by a newer or another
    version) is refused with what to do, never migrated blindly."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError:
            known = {
                script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
            }
            stored = _stored_revisions(connection)
            if stored and not stored <= known:
                raise InputError(
                    _(
                        "La base {database} porte un schéma ({revision}) que cette version de Campus"
                        " ne connaît pas : elle a été écrite par une autre version. Utilisez cette"
                        " version-là, ou une base neuve (CAMPUS_DATABASE_URL).",
                        database=engine.url.render_as_string(hide_password=True),
                        revision=", ".join(sorted(stored - known)),
                    )
                ) from None
            raise


def _stored_revisions(connection) -> set[str]:
    """The schema revisions recorded in the database (none for a new one)."""
    try:
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:  # no alembic_version table: a new database
        return set()


def connect(url: str) -> Engine:
    """Open the mirror at `url` and migrate it: the one way callers get a usable engine."""
    engine = open_engine(url)
    migrate(engine)
    return engine
