"""A real PostgreSQL server for the tests, started from the installed binaries on a free port.

`postgres_server` (session) runs `initdb` and `pg_ctl start` in a temporary folder, listening on
127.0.0.1 only, trust authentication. PostgreSQL refuses to run as root, so under root (CI
containers) the binaries run as the unprivileged `nobody` account through `runuser`.
Without PostgreSQL binaries the PostgreSQL cases are skipped with the reason shown, unless
`CAMPUS_REQUIRE_POSTGRES=1` (set by `.ci/run`), where that is a failure.

`db_url` is parametrised over a SQLite file and a fresh PostgreSQL database, so every test that
takes it runs on both.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

UNPRIVILEGED_USER = "nobody"


def find_bindir() -> Path | None:
    """Where `initdb` and `pg_ctl` are: `pg_config --bindir`, else /usr/lib/postgresql/*/bin."""
    candidates = []
    if shutil.which("pg_config"):
        result = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running throw-away cluster; `url(database)` gives a SQLAlchemy URL to one database."""

    bindir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", UNPRIVILEGED_USER, "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, user=UNPRIVILEGED_USER)
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.root} -h 127.0.0.1 -F"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement on the `postgres` database, outside a transaction."""
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(sql)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session (skipped, visibly, only without binaries)."""
    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin)"
        if os.environ.get("CAMPUS_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " but CAMPUS_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="campus-pg-"))
    server = PostgresServer(bindir=bindir, root=root, port=_free_port())
    try:
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'campus.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = "campus_" + uuid.uuid4().hex[:12]
    server.admin(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.admin(f"DROP DATABASE {name} WITH (FORCE)")
