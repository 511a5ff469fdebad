"""One Campus run at a time per database: a lock the operating system or the server releases.

- SQLite (`sqlite:///path/campus.db`): `fcntl.flock` on `path/campus.db.<name>.lock`. The kernel drops
  the lock when the process dies, even on SIGKILL, so no stale lock file ever blocks a run.
- PostgreSQL: `pg_try_advisory_lock(key)` on a dedicated connection held for the duration; the
  server releases it when that connection ends, including when the process is killed.

`acquire_lock(engine_url, name)` is generic: `name` tells runs apart ("sync", "worker"…), so
different kinds of work may use different locks on the same database. By default a held lock is
refused at once; `wait=` seconds makes the caller queue behind the holder instead (the schema
upgrade: several processes starting together on a new database create it once, one after another).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.errors import LockError
from core.i18n import _


def sqlite_path(engine_url: str) -> Path | None:
    """The database file of a SQLite URL (None for in-memory databases and other backends)."""
    url = make_url(engine_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`, derived from the lock's name."""
    digest = hashlib.sha256(f"campus:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


POLL_SECONDS = 0.1  # how often a waiting caller tries the lock again


@contextlib.contextmanager
def acquire_lock(engine_url: str, name: str, *, wait: float = 0) -> Iterator[None]:
    """Hold the lock `name` on the database at `engine_url`; if another process holds it, try
    again for up to `wait` seconds, then raise `LockError`."""
    path = sqlite_path(engine_url)
    if path is not None:
        with _file_lock(Path(f"{path}.{name}.lock"), name, str(path), wait):
            yield
        return
    if make_url(engine_url).drivername.startswith("sqlite"):
        yield  # an in-memory database belongs to this process alone
        return
    with _advisory_lock(engine_url, name, wait):
        yield


def _retry(attempt, wait: float) -> bool:
    """Call `attempt()` until it returns True or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


@contextlib.contextmanager
def _file_lock(lock_path: Path, name: str, where: str, wait: float) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)

    def attempt() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        if not _retry(attempt, wait):
            raise LockError(
                _(
                    "Une autre exécution de Campus ({name}) travaille déjà sur la base {where} : attendez qu'elle se termine puis relancez. Rien n'a été modifié.",
                    name=name,
                    where=where,
                )
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _advisory_lock(engine_url: str, name: str, wait: float) -> Iterator[None]:
    engine = create_engine(engine_url, pool_size=1, max_overflow=0)
    key = advisory_key(name)
    try:
        with engine.connect() as connection:

            def attempt() -> bool:
                locked = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
                ).scalar()
                connection.commit()
                return bool(locked)

            if not _retry(attempt, wait):
                database = make_url(engine_url).database or "?"
                raise LockError(
                    _(
                        "Une autre exécution de Campus ({name}) travaille déjà sur la base {where} : attendez qu'elle se termine puis relancez. Rien n'a été modifié.",
                        name=name,
                        where=database,
                    )
                )
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
    finally:
        engine.dispose()
