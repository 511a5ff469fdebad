"""A consistent copy of the mirror, taken while Campus runs (`campus backup`, and `campus migrate`
before it changes anything).

- SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a consistent snapshot
  even while the web service and the worker write; the copy is a self-contained database file
  (rollback journal mode, no `-wal` file beside it). Restoring is copying it back over the
  database file, services stopped, after removing the `-wal` and `-shm` files.
- PostgreSQL: `pg_dump -Fc` (custom format, restored with `pg_restore`). The connection settings
  go to pg_dump in its environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD…), never on its
  command line, where any local user could read them in the process list. Without a password in
  the URL, pg_dump uses the usual `~/.pgpass` or `PGPASSFILE`.

The file is written under a temporary name in the target folder with mode 0600 (it holds the
mirror, and during an open month the barometer's list of who answered), then linked to its final
name, which fails if that name exists: a backup never replaces a file, and a failed one leaves
nothing behind.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from core.errors import CampusError, InputError
from core.i18n import _
from sync.mirror.lock import sqlite_path

# libpq's environment variables for the URL's query parameters Campus passes on
LIBPQ_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "application_name": "PGAPPNAME",
}


def backup_name(revision: str, stamp: str) -> str:
    """`campus-<revision>-<UTC time>.backup`, the default name of a backup file."""
    return f"campus-{revision}-{stamp}.backup"


def find_pg_tool(name: str) -> Path | None:
    """A PostgreSQL client program (`pg_dump`, `pg_restore`): the newest version Debian's
    packages install under /usr/lib/postgresql/*/bin (not on PATH), else the one on PATH."""
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
        reverse=True,
    )
    if versions:
        return Path(versions[0])
    found = shutil.which(name)
    return Path(found) if found else None


def libpq_environment(database_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a libpq program (pg_dump, pg_restore, psql) needs to reach the database
    of `database_url`, password included, on top of `base` (default: this process's)."""
    url = make_url(database_url)
    environment = dict(os.environ if base is None else base)
    for key, value in {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }.items():
        if value:
            environment[key] = value
    for parameter, variable in LIBPQ_QUERY_ENV.items():
        value = url.query.get(parameter)
        if isinstance(value, tuple):
            value = value[0] if value else None
        if value:
            environment[variable] = value
    return environment


def write_backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database at `database_url` to `target` (mode 0600), which
    must not exist; return it. Exit 2 if it exists or its folder cannot be written."""
    target = target.expanduser().absolute()
    if target.exists():
        raise InputError(
            _(
                "{path} existe déjà : une sauvegarde ne remplace jamais un fichier. Choisissez un"
                " autre nom (--out) ou déplacez l'ancien.",
                path=target,
            )
        )
    if not target.parent.is_dir():
        raise InputError(
            _(
                "{path} : le dossier n'existe pas ; créez-le ou choisissez un autre --out.",
                path=target.parent,
            )
        )
    with _staging(target) as staging:
        path = sqlite_path(database_url)
        if path is not None:
            _sqlite_backup(path, staging)
        elif make_url(database_url).drivername.startswith("postgresql"):
            _pg_dump(database_url, staging)
        else:
            raise InputError(
                _(
                    "Cette base ({driver}) ne se sauvegarde pas avec campus backup : seules une base"
                    " SQLite sur fichier et PostgreSQL le peuvent.",
                    driver=make_url(database_url).drivername,
                )
            )
        try:
            os.link(staging, target)
        except FileExistsError:
            raise InputError(
                _(
                    "{path} existe déjà : une sauvegarde ne remplace jamais un fichier. Choisissez"
                    " un autre nom (--out) ou déplacez l'ancien.",
                    path=target,
                )
            ) from None
    return target


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A new empty file beside `target`, mode 0600, removed at the end whatever happens."""
    staging = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except PermissionError:
        raise InputError(
            _(
                "{path} : écriture refusée dans ce dossier (droits) ; choisissez un autre --out.",
                path=target.parent,
            )
        ) from None
    os.fchmod(fd, 0o600)
    os.close(fd)
    try:
        yield staging
    finally:
        for leftover in (staging, Path(f"{staging}-journal")):
            leftover.unlink(missing_ok=True)


def _sqlite_backup(source_path: Path, staging: Path) -> None:
    if not source_path.is_file():
        raise InputError(
            _("{path} : la base n'existe pas, il n'y a rien à sauvegarder.", path=source_path)
        )
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=60)
    try:
        copy = sqlite3.connect(staging)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()


def _pg_dump(database_url: str, staging: Path) -> None:
    program = find_pg_tool("pg_dump")
    if program is None:
        raise CampusError(
            _(
                "pg_dump est introuvable (ni dans /usr/lib/postgresql/*/bin ni dans le PATH) :"
                " installez le client PostgreSQL (paquet Debian postgresql-client) puis relancez."
            )
        )
    result = subprocess.run(
        [str(program), "--format=custom", "--no-password", "--file", str(staging)],
        env=libpq_environment(database_url),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        password = make_url(database_url).password
        if password:
            detail = detail.replace(password, "***")
        raise CampusError(
            _(
                "pg_dump a échoué (code {code}) : {detail}. Aucune sauvegarde n'a été écrite.",
                code=result.returncode,
                detail=detail,
            )
        )
