"""Opening the mirror database and bringing its schema up to date (Alembic)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, text

from core.errors import InputError
from core.i18n import _

MIGRATIONS = Path(__file__).parent / "migrations"


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
