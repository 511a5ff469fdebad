"""`campus backup`'s copy and the restore drill of docs/exploitation.md, on SQLite (online backup,
file copied back) and PostgreSQL (pg_dump -Fc, pg_restore into a new database)."""

from __future__ import annotations

import shutil
import stat
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.errors import CampusError, InputError
from sync.mirror import backup
from sync.mirror.db import connect
from sync.mirror.lock import sqlite_path
from tests.support.migrations import seed, seeded


def restore_sqlite(copy: Path, database: Path) -> None:
    """The drill's SQLite steps: services stopped, the WAL files removed, the copy put back."""
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, database)


def restore_postgres(copy: Path, server, name: str) -> str:
    """The drill's PostgreSQL steps: a new empty database, pg_restore into it."""
    server.admin(f"CREATE DATABASE {name}")
    url = server.url(name)
    program = backup.find_pg_tool("pg_restore")
    subprocess.run(
        [str(program), "--no-owner", "--exit-on-error", "--dbname", name, str(copy)],
        env=backup.libpq_environment(url),
        check=True,
        capture_output=True,
    )
    return url


def test_backup_then_restore_gives_back_the_mirror(db_url, tmp_path, request):
    engine = connect(db_url)
    seed(engine)
    copy = backup.write_backup(db_url, tmp_path / "campus.backup")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial file
    with engine.begin() as connection:  # the accident the backup is for
        connection.execute(text("DELETE FROM users"))
    engine.dispose()
    if db_url.startswith("sqlite"):
        restore_sqlite(copy, sqlite_path(db_url))
        restored_url = db_url
    else:
        server = request.getfixturevalue("postgres_server")
        name = "restored_" + uuid.uuid4().hex[:8]
        restored_url = restore_postgres(copy, server, name)
    restored = connect(restored_url)  # the schema check passes on the restored copy
    assert seeded(restored) == ("Entraide", "camille")
    restored.dispose()
    if restored_url != db_url:
        request.getfixturevalue("postgres_server").admin(f"DROP DATABASE {name} WITH (FORCE)")


def test_a_backup_never_replaces_a_file(db_url, tmp_path):
    connect(db_url).dispose()
    existing = tmp_path / "campus.backup"
    existing.write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="ne remplace jamais un fichier"):
        backup.write_backup(db_url, existing)
    assert existing.read_text(encoding="utf-8") == "precious"


def test_a_sqlite_backup_taken_while_a_writer_writes_is_consistent(tmp_path):
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    engine = connect(url)
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as connection:  # two rows a transaction: never one alone
                for offset in (0, 1):
                    connection.execute(
                        text("INSERT INTO sync_state (key, value) VALUES (:k, 'x')"),
                        {"k": f"pair-{n}-{offset}"},
                    )

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [backup.write_backup(url, tmp_path / f"copy-{i}.backup") for i in range(3)]
    finally:
        stop.set()
        writer.join()
    engine.dispose()
    for copy in copies:
        restored = connect(f"sqlite:///{copy}")
        with restored.connect() as connection:
            rows = connection.execute(text("SELECT count(*) FROM sync_state")).scalar()
        restored.dispose()
        assert rows % 2 == 0


def test_pg_dump_gets_the_password_in_its_environment_never_on_its_command_line(
    postgres_server, tmp_path, monkeypatch
):
    password = "Pw-" + uuid.uuid4().hex
    name = "campus_" + uuid.uuid4().hex[:8]
    postgres_server.admin(f"CREATE ROLE campus_pw LOGIN PASSWORD '{password}'")
    postgres_server.admin(f"CREATE DATABASE {name} OWNER campus_pw")
    url = make_url(postgres_server.url(name)).set(username="campus_pw", password=password)
    url = url.render_as_string(hide_password=False)
    connect(url).dispose()
    calls = []
    real_run = subprocess.run

    def recording_run(args, **kwargs):
        calls.append((args, kwargs.get("env") or {}))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", recording_run)
    copy = backup.write_backup(url, tmp_path / "campus.backup")
    assert copy.stat().st_size > 0
    [(args, environment)] = calls
    assert Path(args[0]).name == "pg_dump" and "--format=custom" in args
    assert password not in " ".join(args)
    assert environment["PGPASSWORD"] == password and environment["PGDATABASE"] == name
    postgres_server.admin(f"DROP DATABASE {name} WITH (FORCE)")
    postgres_server.admin("DROP ROLE campus_pw")


def test_a_failed_pg_dump_says_why_and_leaves_no_file(postgres_server, tmp_path):
    url = postgres_server.url("no_such_database_" + uuid.uuid4().hex[:6])
    with pytest.raises(CampusError, match="pg_dump a échoué"):
        backup.write_backup(url, tmp_path / "campus.backup")
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_is_found_where_debian_installs_it():
    found = backup.find_pg_tool("pg_dump")
    if found is None:
        pytest.skip("no PostgreSQL client installed")
    assert found.name == "pg_dump" and found.exists()
    if list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")):
        assert str(found).startswith("/usr/lib/postgresql/")


def test_a_database_reached_through_its_unix_socket_is_backed_up(postgres_server, tmp_path):
    """The guide's recommended URL: no password, `?host=<socket folder>` (peer authentication)."""
    name = "campus_" + uuid.uuid4().hex[:8]
    postgres_server.admin(f"CREATE DATABASE {name}")
    url = (
        f"postgresql+psycopg://postgres@/{name}"
        f"?host={postgres_server.root}&port={postgres_server.port}"
    )
    engine = connect(url)
    seed(engine)
    engine.dispose()
    copy = backup.write_backup(url, tmp_path / "campus.backup")
    restored_url = restore_postgres(copy, postgres_server, name + "_r")
    restored = connect(restored_url)
    assert seeded(restored) == ("Entraide", "camille")
    restored.dispose()
    for database in (name, name + "_r"):
        postgres_server.admin(f"DROP DATABASE {database} WITH (FORCE)")
